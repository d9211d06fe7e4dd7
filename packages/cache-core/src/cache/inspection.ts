import { freshCoverage, ledgerCovered } from '../planning/coverage-ledger.js';
import { intersectRanges, subtractRanges } from '../planning/ranges.js';
import type { LatencyHistogram } from '../stats/latency-histogram.js';
import type { CacheStats, ExplainReport, SeriesInfo } from '../types.js';
import { wantedRange, type CacheContext } from './cache-context.js';
import type { GapFiller } from './gap-filler.js';
import type { ParsedQuery } from './query-parsing.js';
import type { ResidentLoader } from './resident-loader.js';

/** Read-only views of the cache: stats (counters), listSeries (the store's metas), explain (a dry run). */
export class Inspection {
  readonly #ctx: CacheContext;
  readonly #filler: GapFiller;
  readonly #loader: ResidentLoader;
  readonly #latency: LatencyHistogram;

  constructor(ctx: CacheContext, filler: GapFiller, loader: ResidentLoader, latency: LatencyHistogram) {
    this.#ctx = ctx;
    this.#filler = filler;
    this.#loader = loader;
    this.#latency = latency;
  }

  stats(): CacheStats {
    const { counters: c, memory, catalog } = this.#ctx;
    const saved = c.l1Hits + c.l2Hits;
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
    };
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
    const want = wantedRange(p.key.interval, p.start, p.end, now);
    const meta = ctx.catalog.metaOf(p.key);
    const fresh = freshCoverage(meta.ledger, now, ctx.provisionalTtlMs);
    const entry = ctx.memory.get(p.id);
    const inL1 = entry && now < entry.validUntil ? intersectRanges(entry.servable, [want]) : [];
    const inL2 = subtractRanges(intersectRanges(fresh, [want]), inL1);
    const missing = subtractRanges([want], fresh);
    const plan = this.#filler.plan(meta, want, now);
    const parts = [
      ...inL1.map((range) => ({ range, tier: 'l1' as const })),
      ...inL2.map((range) => ({ range, tier: 'l2' as const })),
      ...missing.map((range) => ({ range, tier: 'provider' as const })),
    ].sort((a, b) => a.range.start - b.range.start);
    return {
      symbol: p.key.symbol,
      interval: p.key.interval,
      start: p.start,
      end: p.end,
      parts,
      plannedRequests: ctx.offline ? [] : plan.requests,
      missing,
    };
  }
}
