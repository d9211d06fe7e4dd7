import { freshCoverage } from '../planning/coverage-ledger.js';
import { blockEndOf, blocksOverlapping } from '../planning/block-layout.js';
import { lookbackStart } from '../planning/lookback-span.js';
import { coversRange } from '../planning/ranges.js';
import { seriesId, type SeriesKey } from '../series-key.js';
import type { Interval } from '../types.js';
import { wantedRange, type CacheContext } from './cache-context.js';
import type { ParsedPlan } from './query-parsing.js';

/** Intervals whose bars usually carry an adjusted close (Yahoo's daily and longer charts). */
const ADJUSTED_INTERVALS: ReadonlySet<Interval> = new Set(['1d', '5d', '1wk', '1mo', '3mo']);

/**
 * The column buffers a prefetch's first load will allocate, in bytes, one per symbol in plan order:
 * for each symbol already stored fresh over its wanted range, the bars of the stored blocks that
 * range touches and L1 lacks (the load decodes them into one allocation of that many bars). What
 * cannot be told from the metas is left out: a symbol that needs a fill first, or one loaded as a
 * sliding window. Whether the columns include an adjusted close comes from the blocks' index
 * (`BlockInfo.adjClose`); for metas written before it was recorded it is guessed from the interval.
 * A wrong guess only means that buffer is not pre-faulted.
 */
export function predictedLoadBuffers(ctx: CacheContext, plan: ParsedPlan, seriesKeyOf: (symbol: string) => SeriesKey): number[] {
  const now = ctx.now();
  // Where the symbol preparer's first load starts (symbol-preparer.ts).
  const from = lookbackStart(plan.interval, plan.start, { bars: plan.lookbackBars, days: plan.lookbackDays });
  const want = wantedRange(plan.interval, from, plan.end, now, ctx.earliestTime);
  if (want.end <= want.start) return [];
  const guessedColumns = ADJUSTED_INTERVALS.has(plan.interval) ? 7 : 6;
  const shareBytes = ctx.memoryMaxBytes / 2 / plan.symbols.length;
  const starts = blocksOverlapping(plan.interval, want);
  const sizes: number[] = [];
  for (const symbol of plan.symbols) {
    const key = seriesKeyOf(symbol);
    const meta = ctx.catalog.get(seriesId(key));
    if (meta === undefined || meta.blocks.length === 0) continue;
    if (!coversRange(freshCoverage(meta.ledger, now, ctx.provisionalTtlMs), want)) continue;
    if (ctx.catalog.storedBytesIn(key, want) > shareBytes) continue;
    const loaded = ctx.memory.get(meta.id)?.loaded ?? [];
    const byStart = new Map(meta.blocks.map((b) => [b.start, b]));
    let bars = 0;
    // The blocks say whether they have an adjusted close (metas written since they record it).
    let known = true;
    let adj = false;
    for (const start of starts) {
      const b = byStart.get(start);
      if (b === undefined || (loaded.length > 0 && coversRange(loaded, { start, end: blockEndOf(plan.interval, start) }))) continue;
      bars += b.bars;
      if (b.adjClose === undefined) known = false;
      else adj ||= b.adjClose;
    }
    if (bars > 0) sizes.push(bars * 8 * (known ? (adj ? 7 : 6) : guessedColumns));
  }
  return sizes;
}
