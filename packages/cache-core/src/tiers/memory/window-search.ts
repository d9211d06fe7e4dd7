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
 * (the bar right after the hint, or the hint itself), a probe NEAR bars further narrows it, and a
 * binary search finishes within those bounds (never more steps than a plain one, plus three).
 */
export function lowerBoundNear(time: Float64Array, n: number, t: number, hint: number): number {
  let lo: number;
  let hi: number;
  const h = hint > 0 ? (hint < n ? hint : n) : 0;
  if (h < n && time[h]! < t) {
    // The answer is after h: most often right after it (the next day's window starts a bar later).
    lo = h + 1;
    if (lo === n || time[lo]! >= t) return lo;
    const probe = h + NEAR;
    if (probe < n && time[probe]! >= t) hi = probe;
    else {
      if (probe < n) lo = probe + 1;
      hi = n;
    }
  } else {
    // The answer is h or before it: most often h itself (the same window asked for again).
    if (h === 0 || time[h - 1]! < t) return h;
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
