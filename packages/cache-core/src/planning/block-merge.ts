import { BarColumns } from '../bar-columns.js';
import type { Interval, TimeRange } from '../types.js';
import { blockEndOf, blocksOverlapping } from './block-layout.js';
import type { SplitRebase } from './split-basis.js';

/**
 * The blocks a fill rewrites: every block an answered range overlaps, and every stored block a
 * split re-bases. Pure.
 */
export function touchedBlocks(
  interval: Interval,
  answered: readonly TimeRange[],
  rescale: SplitRebase['rescale'],
  stored: ReadonlySet<number>,
): Set<number> {
  const touched = new Set<number>();
  for (const r of answered) for (const b of blocksOverlapping(interval, r)) touched.add(b);
  for (const r of rescale) for (const b of blocksOverlapping(interval, r.range)) if (stored.has(b)) touched.add(b);
  return touched;
}

export interface BlockMergeInput {
  interval: Interval;
  /** Starts of the blocks the store holds now. */
  stored: ReadonlySet<number>;
  /** The stored bars of the touched blocks (as read), by block start. Not changed. */
  current: ReadonlyMap<number, BarColumns>;
  /** Split re-basings to apply to the stored bars first, in order. */
  rescale: SplitRebase['rescale'];
  /** The bars that arrived, ascending; new wins over stored at the same time. */
  incoming: BarColumns;
  touched: ReadonlySet<number>;
}

/**
 * The new content of each touched block: the stored bars (re-based where a split says so) merged
 * by time with the incoming ones, new winning. An empty or partial answer never erases stored bars;
 * a block left with no bars is deleted. Pure.
 */
export function mergeBlocks(input: BlockMergeInput): { put: Map<number, BarColumns>; del: number[] } {
  const { interval, stored, rescale, incoming, touched } = input;
  const current = new Map(input.current);
  for (const r of rescale) {
    for (const [start, cols] of current) {
      const inside = cols.filterRange(r.range);
      if (inside.length === 0) continue;
      current.set(start, BarColumns.merge(cols.without(r.range), inside.scalePrices(r.priceFactor, Number.POSITIVE_INFINITY)));
    }
  }
  const put = new Map<number, BarColumns>();
  const del: number[] = [];
  for (const b of touched) {
    const blockRange = { start: b, end: blockEndOf(interval, b) };
    const next = BarColumns.merge(current.get(b) ?? BarColumns.empty(), incoming.filterRange(blockRange));
    if (next.length > 0) put.set(b, next);
    else if (stored.has(b)) del.push(b);
  }
  return { put, del };
}
