/**
 * Pure window logic over ascending, duplicate-free bar arrays (what `cache.getBars` returns).
 * No I/O: everything here is tested exhaustively and fast.
 */

/** Anything with an epoch-ms `time`, ascending. */
export interface Timed {
  time: number;
}

/** The first index whose time is >= t (bars.length when none). Binary search. */
export function lowerBound(bars: readonly Timed[], t: number): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bars[mid]!.time < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose time is > t (bars.length when none). Binary search. */
export function upperBound(bars: readonly Timed[], t: number): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bars[mid]!.time <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface LookbackSlice<T extends Timed> {
  /** The lookback bars, then every bar with start <= time <= end. */
  bars: T[];
  /** How many lookback bars the slice holds (<= the lookback asked for). */
  lookbackBars: number;
  /** How many bars fall in [start, end]. */
  mainBars: number;
}

/**
 * Exactly `lookback` bars before the first bar at or after `start` (fewer only when the input
 * holds fewer), then every bar through `end` inclusive.
 */
export function sliceWithLookback<T extends Timed>(bars: readonly T[], start: number, end: number, lookback: number): LookbackSlice<T> {
  const first = lowerBound(bars, start);
  const last = upperBound(bars, end);
  const mainBars = Math.max(0, last - first);
  const from = Math.max(0, first - lookback);
  return { bars: bars.slice(from, Math.max(first, last)), lookbackBars: first - from, mainBars };
}

/** The last bar with time <= t (as of t, never a later one), or undefined. */
export function barAsOf<T extends Timed>(bars: readonly T[], t: number): T | undefined {
  const i = upperBound(bars, t) - 1;
  return i >= 0 ? bars[i] : undefined;
}

/** The last `n` bars with time <= t, ascending (fewer when the input holds fewer). */
export function windowEndingAt<T extends Timed>(bars: readonly T[], t: number, n: number): T[] {
  const end = upperBound(bars, t);
  return bars.slice(Math.max(0, end - n), end);
}

/** The first index whose time is >= t in ascending times (a columnar window's `time`). Binary search. */
export function lowerBoundOfTimes(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose time is > t in ascending times. Binary search. */
export function upperBoundOfTimes(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The same bounds as `sliceWithLookback`, as indices into ascending times: [from, first) are the
 * lookback bars (exactly `lookback`, fewer only when the times hold fewer), [first, last) the bars
 * with start <= time <= end.
 */
export function lookbackBounds(times: ArrayLike<number>, start: number, end: number, lookback: number): { from: number; first: number; last: number } {
  const first = lowerBoundOfTimes(times, start);
  const last = Math.max(first, upperBoundOfTimes(times, end));
  return { from: Math.max(0, first - lookback), first, last };
}
