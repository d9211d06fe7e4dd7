import { freshCoverage, ledgerCovered } from '../planning/coverage-ledger.js';
import { countHoles } from '../planning/known-holes.js';
import { entirelyUnserved, servedSpan } from '../planning/provider-range.js';
import type { SeriesMeta } from '../tiers/disk/bar-store.js';
import { intersectRanges, subtractRanges } from '../planning/ranges.js';
import type { LatencyHistogram } from '../stats/latency-histogram.js';
import type { CacheStats, ExplainReport, SeriesInfo, TimeRange } from '../types.js';
import { wantedRange, type CacheContext } from './cache-context.js';
import type { GapFiller } from './gap-filler.js';
import type { ParsedQuery } from './query-parsing.js';
import type { ResidentLoader } from './resident-loader.js';
import { factsOf } from './series-facts.js';
import type { StaleRefreshes } from './stale-refreshes.js';

/** Read-only views of the cache: stats (counters), listSeries (the store's metas), explain (a dry run). */
export class Inspection {
  readonly #ctx: CacheContext;
  readonly #filler: GapFiller;
  readonly #loader: ResidentLoader;
  readonly #latency: LatencyHistogram;
  readonly #stale: StaleRefreshes;

  constructor(ctx: CacheContext, parts: { filler: GapFiller; loader: ResidentLoader; latency: LatencyHistogram; stale: StaleRefreshes }) {
    this.#ctx = ctx;
    this.#filler = parts.filler;
    this.#loader = parts.loader;
    this.#latency = parts.latency;
    this.#stale = parts.stale;
  }

  stats(): CacheStats {
    const { counters: c, memory, catalog } = this.#ctx;
    const saved = c.l1Hits + c.l2Hits;
    const shared = this.#ctx.upstream.sharedStats?.();
    return {
      requests: c.requests,
      l1: { hits: c.l1Hits, misses: c.l1Misses, bytes: memory.bytes, entries: memory.entries, pinnedEntries: memory.pinnedEntries },
      l2: { hits: c.l2Hits, misses: c.l2Misses, bytes: catalog.diskBytes, series: catalog.size, corruptBlocks: c.corruptBlocks },
      provider: { calls: c.providerCalls, bars: c.providerBars, errors: c.providerErrors, retries: c.providerRetries, droppedBars: c.droppedBars },
      providerCallsSaved: saved,
      hitRate: c.requests === 0 ? 0 : saved / c.requests,
      latency: {
        count: this.#latency.count,
        p50Ms: this.#latency.quantile(0.5),
        p99Ms: this.#latency.quantile(0.99),
        maxMs: this.#latency.max,
      },
      prefetch: { runs: c.prefetchRuns, symbols: c.prefetchSymbols, ...(c.lastPrefetchAt !== undefined ? { lastAt: c.lastPrefetchAt } : {}) },
      startedAt: c.startedAt,
      holes: this.#allHoles(),
      stale: { served: c.staleServed, refreshFailures: c.refreshFailures },
      ...(shared ? { shared } : {}),
    };
  }

  #allHoles(): { pending: number; known: number } {
    let pending = 0;
    let known = 0;
    for (const m of this.#ctx.catalog.all()) {
      const holes = factsOf(m).holes;
      if (holes === undefined) continue;
      const n = countHoles(holes);
      pending += n.pending;
      known += n.known;
    }
    return { pending, known };
  }

  /** Every stored series, as the store lists it now (another process may have added some). */
  async listSeries(): Promise<SeriesInfo[]> {
    const { catalog } = this.#ctx;
    for (const id of await catalog.refreshAll()) {
      const meta = catalog.get(id);
      if (meta === undefined) this.#ctx.memory.delete(id);
      else this.#loader.forgetBlocks(meta, meta.blocks.map((b) => b.start));
    }
    return catalog
      .all()
      .map((m) => {
        const first = m.blocks[0];
        const last = m.blocks[m.blocks.length - 1];
        const facts = factsOf(m);
        return {
          provider: m.provider,
          symbol: m.symbol,
          interval: m.interval,
          covered: ledgerCovered(m.ledger),
          bars: m.blocks.reduce((n, b) => n + b.bars, 0),
          bytes: m.blocks.reduce((n, b) => n + b.bytes, 0),
          ...(first ? { firstBar: first.first } : {}),
          ...(last ? { lastBar: last.last } : {}),
          ...(m.lastFetchedAt !== undefined ? { lastFetchedAt: m.lastFetchedAt } : {}),
          lastAccessAt: m.lastAccessAt,
          ...(facts.holes !== undefined && facts.holes.length > 0 ? { holes: countHoles(facts.holes) } : {}),
          ...(facts.firstTradeTime !== undefined ? { firstTradeTime: facts.firstTradeTime } : {}),
          ...(m.timezone ? { timezone: m.timezone } : {}),
        };
      })
      .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.interval.localeCompare(b.interval) || a.provider.localeCompare(b.provider));
  }

  /** Which tier would serve each part of the query now, and what the provider would be asked. */
  async explain(p: ParsedQuery): Promise<ExplainReport> {
    const ctx = this.#ctx;
    const { changedBlocks } = await ctx.catalog.reread(p.key);
    this.#loader.forgetBlocks(p.key, changedBlocks);
    const now = ctx.now();
    const want = wantedRange(p.key.interval, p.start, p.end, now, ctx.earliestTime);
    const meta = ctx.catalog.metaOf(p.key);
    const fresh = freshCoverage(meta.ledger, now, ctx.provisionalTtlMs);
    const entry = ctx.memory.get(p.id);
    const inL1 = entry && now < entry.validUntil ? intersectRanges(entry.servable, [want]) : [];
    const inL2 = subtractRanges(intersectRanges(fresh, [want]), inL1);
    const missing = subtractRanges([want], fresh);
    const stale = this.#stale.within(p.id, want, now);
    const plan = this.#filler.plan(meta, want, now, stale);
    const holes = (factsOf(meta).holes ?? []).filter((h) => h.time >= p.start && h.time <= p.end);
    const unserved = this.#unserved(p, meta, plan.unreachable, now);
    // A shared tier names what it would serve of the missing ranges (the rest goes to the provider).
    const inShared = missing.length > 0 && ctx.upstream.coverage ? intersectRanges(await ctx.upstream.coverage(p.key, missing), missing) : [];
    const parts = [
      ...inL1.map((range) => ({ range, tier: 'l1' as const })),
      ...inL2.map((range) => ({ range, tier: 'l2' as const })),
      ...inShared.map((range) => ({ range, tier: 'shared' as const })),
      ...subtractRanges(missing, inShared).map((range) => ({ range, tier: 'provider' as const })),
    ].sort((a, b) => a.range.start - b.range.start);
    return {
      symbol: p.key.symbol,
      interval: p.key.interval,
      start: p.start,
      end: p.end,
      parts,
      plannedRequests: ctx.offline ? [] : plan.requests,
      missing,
      ...(holes.length > 0
        ? { holes: { pending: holes.filter((h) => !h.known).map((h) => h.time), known: holes.filter((h) => h.known).map((h) => h.time) } }
        : {}),
      ...(stale.length > 0 ? { stale } : {}),
      ...(unserved ? { outOfProviderRange: unserved } : {}),
    };
  }

  /** What of the query the provider cannot serve (what getBars would refuse), with the span it serves. */
  #unserved(p: ParsedQuery, meta: SeriesMeta, unreachable: TimeRange[], now: number): { ranges: TimeRange[]; served: TimeRange } | undefined {
    const limits = this.#ctx.upstream.limits;
    const firstTrade = factsOf(meta).firstTradeTime;
    const query = { start: p.start, end: p.end + 1 };
    const served = servedSpan(p.key.interval, now, limits, firstTrade);
    if (entirelyUnserved(p.key.interval, query, now, limits, firstTrade)) return { ranges: [query], served };
    const ranges = firstTrade === undefined ? unreachable : subtractRanges(unreachable, [{ start: -Infinity, end: firstTrade }]);
    return ranges.length > 0 ? { ranges, served } : undefined;
  }
}
