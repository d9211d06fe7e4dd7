/**
 * Finding a window's bounds in a series' ascending times, starting from where the previous window
 * of the same series was. A backtest walks forward a bar at a time with a fixed-length lookback,
 * so the next window almost always starts a bar or a few after the last one and has the same
 * length: the search then costs a handful of comparisons. Any hint is safe (it is clamped, and a
 * wrong one only costs the ordinary binary search over the part of the series it bounds). Pure.
 */

/** How far past a hint the first probe looks before binary-searching the rest. */
const NEAR = 8;

/**
 * The first index `i` in [0, n] with `time[i] >= t` (`n` when none), searched from `hint`: one
 * comparison at the hint tells which side holds the answer, one more settles the two usual cases
 * (the bar right after the hint, or the hint itself); otherwise `lowerBoundAround` finishes. Kept
 * this small so the engine inlines it into a lookback's hot path.
 */
export function lowerBoundNear(time: Float64Array, n: number, t: number, hint: number): number {
  if (hint > 0 && hint < n) {
    // The answer is after the hint: most often right after it (the next day's window starts a bar later).
    if (time[hint]! < t) {
      if (hint + 1 === n || time[hint + 1]! >= t) return hint + 1;
    } else if (time[hint - 1]! < t) return hint; // the hint itself (the same window asked for again)
  }
  return lowerBoundAround(time, n, t, hint);
}

/**
 * `lowerBoundNear` past its two usual cases, from the hint clamped to [0, n]: a probe NEAR
 * bars from h on the answer's side narrows the range, and a binary search finishes within those
 * bounds (never more steps than a plain one, plus four).
 */
function lowerBoundAround(time: Float64Array, n: number, t: number, hint: number): number {
  const h = hint > 0 ? (hint < n ? hint : n) : 0;
  let lo: number;
  let hi: number;
  if (h < n && time[h]! < t) {
    lo = h + 1;
    const probe = h + NEAR;
    if (probe < n && time[probe]! >= t) hi = probe;
    else {
      if (probe < n) lo = probe + 1;
      hi = n;
    }
  } else {
    hi = h;
    const probe = h - NEAR;
    if (probe >= 0 && time[probe]! < t) lo = probe + 1;
    else {
      lo = 0;
      if (probe >= 0) hi = probe;
    }
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first index `i` in [from, n] with `time[i] > t` (`n` when none), given that every time
 * before `from` is <= t. `guess` (where the previous window's length puts the end) is checked
 * first; otherwise the end is found by galloping from `from` (a lookback is a few dozen bars).
 */
export function upperBoundNear(time: Float64Array, n: number, t: number, from: number, guess: number): number {
  if (guess > from && guess <= n && time[guess - 1]! <= t && (guess === n || time[guess]! > t)) return guess;
  return gallopUpperBound(time, n, t, from);
}

/**
 * The first index `i` in [from, n] with `time[i] > t` (`n` when none), found by galloping from
 * `from`: O(log d) for an answer d bars on. Requires every time before `from` to be <= t.
 */
export function gallopUpperBound(time: Float64Array, n: number, t: number, from: number): number {
  if (from >= n || time[from]! > t) return from < n ? from : n;
  // time[from] <= t: double the step until past t (or the end), then search the last step.
  let lo = from + 1;
  let step = 1;
  let hi = lo;
  while (hi < n && time[hi]! <= t) {
    lo = hi + 1;
    step *= 2;
    hi = from + step;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where a series' last window was: bars [hintFrom, hintFrom + hintLength). */
export interface WindowCursor {
  hintFrom: number;
  hintLength: number;
}

/**
 * Moves `cursor` to the window of [start, end] (inclusive) when that is the last window one bar
 * on with the same length (a bar-count lookback's next day): four compares, no search. Returns
 * false, changing nothing, otherwise. Small, so it inlines into the hot path; `seekWindow` is the
 * general case.
 */
export function stepWindow(cursor: WindowCursor, time: Float64Array, n: number, start: number, end: number): boolean {
  const from = cursor.hintFrom + 1;
  const to = from + cursor.hintLength;
  // Past the end a typed array reads undefined, and every compare with it is false.
  if (!(time[from - 1]! < start && (from === n || time[from]! >= start) && time[to - 1]! <= end && (to === n || time[to]! > end))) return false;
  cursor.hintFrom = from;
  return true;
}

/** Moves `cursor` to the window of [start, end] (inclusive), searching from where it was: any window. */
export function seekWindow(cursor: WindowCursor, time: Float64Array, n: number, start: number, end: number): void {
  const from = lowerBoundNear(time, n, start, cursor.hintFrom);
  const to = upperBoundNear(time, n, end, from, from + cursor.hintLength);
  cursor.hintFrom = from;
  cursor.hintLength = to - from;
}
