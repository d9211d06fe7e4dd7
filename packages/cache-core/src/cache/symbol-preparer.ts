import { freshCoverage, ledgerCovered } from '../planning/coverage-ledger.js';
import { minBlockMs } from '../planning/block-layout.js';
import { extendLookback, lookbackStart } from '../planning/lookback-span.js';
import { coversRange, intersectRanges } from '../planning/ranges.js';
import { seriesId, type SeriesKey } from '../series-key.js';
import type { ResidentSeries } from '../tiers/memory/memory-tier.js';
import type { PrefetchSymbolReport } from '../types.js';
import { wantedRange, type CacheContext } from './cache-context.js';
import { corruptBlockError, MAX_CORRUPT_ROUNDS } from './corrupt-blocks.js';
import type { GapFiller } from './gap-filler.js';
import type { ParsedPlan } from './query-parsing.js';
import { assertServed } from './range-guard.js';
import { factsOf } from './series-facts.js';
import type { SeriesMeta } from '../tiers/disk/bar-store.js';
import type { ResidentLoader } from './resident-loader.js';

/** How many times prefetch may grow a lookback that holidays or a young listing left short. */
const MAX_LOOKBACK_EXTENSIONS = 4;

/** Runs a provider fill when one of the prefetch's fill slots is free. */
export type FillSlot = <T>(fill: () => Promise<T>) => Promise<T>;

/** One symbol of a prefetch plan. */
export interface SymbolTask extends ParsedPlan {
  symbol: string;
  signal: AbortSignal | undefined;
  /** Bounds the plan's provider fills at a time, however many symbols it reads at once. */
  fillSlot: FillSlot;
}

/**
 * Prepares one symbol of a prefetch session: fills [start − lookback, end], loads it into L1 (whole,
 * or as a sliding window when it is too large for its share of the memory budget) and pins it.
 * When holidays or a young listing leave the lookback short, it reaches further back, a bounded
 * number of times.
 */
export class SymbolPreparer {
  readonly #ctx: CacheContext;
  readonly #filler: GapFiller;
  readonly #loader: ResidentLoader;

  constructor(ctx: CacheContext, filler: GapFiller, loader: ResidentLoader) {
    this.#ctx = ctx;
    this.#filler = filler;
    this.#loader = loader;
  }

  prepare(key: SeriesKey, p: SymbolTask, holder: symbol): Promise<PrefetchSymbolReport> {
    return this.#ctx.mutex.run(seriesId(key), async () => {
      this.#ctx.lifecycle.assertOpen(); // a worker may reach its next symbol after close() began
      const { meta, changedBlocks } = await this.#ctx.catalog.reread(key);
      this.#loader.forgetBlocks(key, changedBlocks);
      assertServed(key, { start: p.start, end: p.end + 1 }, meta, this.#ctx.now(), this.#ctx.upstream.limits);
      return this.#prepareLocked(key, p, holder);
    });
  }

  async #prepareLocked(key: SeriesKey, p: SymbolTask, holder: symbol): Promise<PrefetchSymbolReport> {
    const ctx = this.#ctx;
    const id = seriesId(key);
    let from = lookbackStart(p.interval, p.start, { bars: p.lookbackBars, days: p.lookbackDays });
    let calls = 0;
    let hadToLoad = false;
    let filled = false;
    const coveredBefore = intersectRanges(ledgerCovered(ctx.catalog.metaOf(key).ledger), [{ start: from, end: p.end + 1 }]).length > 0;
    let lookbackBars = 0;
    let entry: ResidentSeries | undefined;
    let windowed = false;
    let corruptRounds = 0;
    for (let extension = 0; ; extension++) {
      const now = ctx.now();
      const want = wantedRange(p.interval, from, p.end, now, ctx.earliestTime);
      if (!coversRange(freshCoverage(ctx.catalog.metaOf(key).ledger, now, ctx.provisionalTtlMs), want)) {
        const fill = await p.fillSlot(() => this.#filler.fill(key, want, { signal: p.signal }));
        calls += fill.providerCalls;
        filled ||= fill.filled === true;
      }
      const resident = ctx.memory.get(id);
      hadToLoad ||= resident === undefined || !coversRange(resident.servable, want);
      // Too large to hold whole (years of minute bars): keep a window around the cursor.
      const wasWindowed = ctx.catalog.storedBytesIn(key, want) > ctx.memoryMaxBytes / 2 / p.symbols.length;
      const aheadMs = 2 * minBlockMs(p.interval);
      const firstWindow = { start: from, end: Math.min(want.end, p.start + aheadMs) };
      const loaded = await this.#loader.ensureResident(key, wasWindowed ? firstWindow : want);
      if (loaded.corrupt) {
        // The dropped block is refetched by the next round's fill; a block that keeps failing is reported.
        if (++corruptRounds > MAX_CORRUPT_ROUNDS) throw corruptBlockError(key);
        extension--;
        continue;
      }
      entry = loaded.entry;
      if (wasWindowed) {
        this.#loader.trimToWindow(entry, key.interval, firstWindow);
        entry.window = { lookbackMs: p.start - from, aheadMs, range: want, nextAdvanceAt: p.start, advancing: false };
        windowed = true;
      }
      const cols = entry.columns;
      const startIdx = cols.lowerBound(p.start);
      const previous = lookbackBars;
      lookbackBars = startIdx - cols.lowerBound(from);
      const short = p.lookbackBars - lookbackBars;
      if (short <= 0 || windowed || extension >= MAX_LOOKBACK_EXTENSIONS) break;
      // Holidays ate bars. L1 often holds older bars already (blocks load whole): use them.
      const olderIdx = startIdx - p.lookbackBars;
      if (olderIdx >= 0 && coversRange(entry.servable, { start: cols.time[olderIdx]!, end: want.end })) {
        from = cols.time[olderIdx]!;
        lookbackBars = p.lookbackBars;
        break;
      }
      // Reaching further back found nothing older: the series starts there (a young listing).
      if (extension > 0 && lookbackBars <= previous) break;
      from = extendLookback(p.interval, from, short, extension);
    }
    ctx.memory.pin(entry!, holder);
    const cols = entry!.columns;
    const bars = windowed ? ctx.catalog.storedBarsIn(key, { start: from, end: p.end + 1 }) : cols.upperBound(p.end) - cols.lowerBound(from);
    return {
      symbol: p.symbol,
      start: from,
      end: p.end,
      bars,
      lookbackBars,
      lookbackSatisfied: lookbackBars >= p.lookbackBars,
      providerCalls: calls,
      source: calls > 0 ? (coveredBefore ? 'mixed' : 'provider') : filled ? 'shared' : hadToLoad ? 'l2' : 'l1',
      windowed,
      ...holesIn(ctx.catalog.metaOf(key), from, p.end),
    };
  }
}

/** `{ holes: n }` for the holes in [from, end], or nothing. */
function holesIn(meta: SeriesMeta, from: number, end: number): { holes?: number } {
  const n = (factsOf(meta).holes ?? []).filter((h) => h.time >= from && h.time <= end).length;
  return n > 0 ? { holes: n } : {};
}
