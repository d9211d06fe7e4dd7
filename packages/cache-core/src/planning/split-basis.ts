import type { Split, TimeRange } from '../types.js';

/**
 * Corporate actions, the pure part. Yahoo's `close` is split-adjusted as of the day of the
 * fetch, so a stored bar has absorbed exactly the splits dated on or before the time it was
 * fetched. When a fetch reports a split the series has not absorbed, the stored bars that
 * predate the split AND were fetched before it are on the old basis: they are re-based, so a
 * series never mixes two adjustment bases.
 */

/** A stored range and when it was last fetched. */
export interface FetchEpoch extends TimeRange {
  fetchedAt: number;
}

/** Records that `range` was (re)fetched at `fetchedAt`: the newer fetch wins where they overlap. */
export function recordFetchEpoch(epochs: readonly FetchEpoch[], range: TimeRange, fetchedAt: number): FetchEpoch[] {
  if (range.end <= range.start) return [...epochs];
  const out: FetchEpoch[] = [];
  for (const e of epochs) {
    if (e.end <= range.start || e.start >= range.end) {
      out.push(e);
      continue;
    }
    if (e.start < range.start) out.push({ start: e.start, end: range.start, fetchedAt: e.fetchedAt });
    if (e.end > range.end) out.push({ start: range.end, end: e.end, fetchedAt: e.fetchedAt });
  }
  out.push({ start: range.start, end: range.end, fetchedAt });
  return mergeEqualNeighbours(out);
}

/** Drops epochs (or parts) inside `range`, e.g. when bars are cleared. */
export function dropFetchEpochs(epochs: readonly FetchEpoch[], range: TimeRange): FetchEpoch[] {
  const out: FetchEpoch[] = [];
  for (const e of epochs) {
    if (e.end <= range.start || e.start >= range.end) out.push(e);
    else {
      if (e.start < range.start) out.push({ ...e, end: range.start });
      if (e.end > range.end) out.push({ ...e, start: range.end });
    }
  }
  return out;
}

export interface SplitRebase {
  /** Stored bars in `range` get prices × priceFactor and volume ÷ priceFactor, in this order. */
  rescale: { range: TimeRange; priceFactor: number; split: Split }[];
  epochs: FetchEpoch[];
  /** The absorbed-split list after this rebase (sorted by time, unique). */
  absorbed: Split[];
}

const sameSplit = (a: Split, b: Split) => a.time === b.time && a.numerator === b.numerator && a.denominator === b.denominator;

/** Works out which stored ranges a set of reported splits re-bases. Pure; applies nothing. */
export function planSplitRebase(epochs: readonly FetchEpoch[], absorbed: readonly Split[], reported: readonly Split[]): SplitRebase {
  const fresh = reported
    .filter((s) => s.numerator > 0 && s.denominator > 0 && s.numerator !== s.denominator)
    .filter((s) => !absorbed.some((a) => sameSplit(a, s)))
    .sort((a, b) => a.time - b.time);
  let current = [...epochs];
  const rescale: SplitRebase['rescale'] = [];
  for (const split of fresh) {
    const next: FetchEpoch[] = [];
    for (const e of current) {
      if (e.fetchedAt >= split.time || e.start >= split.time) {
        next.push(e);
        continue;
      }
      // The part of this epoch before the split was fetched on the old basis.
      const end = Math.min(e.end, split.time);
      rescale.push({ range: { start: e.start, end }, priceFactor: split.denominator / split.numerator, split });
      next.push({ start: e.start, end, fetchedAt: split.time });
      if (e.end > end) next.push({ start: end, end: e.end, fetchedAt: e.fetchedAt });
    }
    current = mergeEqualNeighbours(next);
  }
  const all = [...absorbed, ...fresh].sort((a, b) => a.time - b.time);
  return { rescale, epochs: current, absorbed: all };
}

function mergeEqualNeighbours(epochs: FetchEpoch[]): FetchEpoch[] {
  const sorted = [...epochs].sort((a, b) => a.start - b.start);
  const out: FetchEpoch[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && last.end === e.start && last.fetchedAt === e.fetchedAt) last.end = e.end;
    else out.push({ ...e });
  }
  return out;
}
