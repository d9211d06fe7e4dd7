import type { TimeRange } from '../types.js';

/**
 * Set algebra on half-open time ranges `[start, end)` (epoch ms).
 *
 * Every function accepts unnormalised input (unsorted, overlapping, empty or NaN ranges) and
 * returns a *normalised* list: fresh `{ start, end }` objects (extra fields such as `fetchedAt`
 * are not copied), sorted by start, non-empty, with no two ranges overlapping or touching
 * (adjacent ranges are merged). Inputs are never mutated. ±Infinity bounds are allowed
 * (e.g. `{ start: -Infinity, end: t }` for "everything before t").
 */

/** True when `r` holds at least one instant (`start < end`; false for NaN bounds). */
export function isNonEmpty(r: TimeRange): boolean {
  return r.start < r.end;
}

/** True when `rs` is already normalised: sorted, non-empty, not overlapping and not adjacent. */
export function isNormalized(rs: readonly TimeRange[]): boolean {
  let prevEnd = -Infinity;
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i]!;
    if (!(r.start < r.end)) return false;
    if (i > 0 && !(r.start > prevEnd)) return false;
    prevEnd = r.end;
  }
  return true;
}

/** Drops empty ranges, sorts by start, and merges ranges that overlap or touch. */
export function normalizeRanges(rs: readonly TimeRange[]): TimeRange[] {
  if (isNormalized(rs)) return rs.map((r) => ({ start: r.start, end: r.end }));
  const sorted = rs.filter(isNonEmpty).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: TimeRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) {
      if (r.end > last.end) last.end = r.end;
    } else {
      out.push({ start: r.start, end: r.end });
    }
  }
  return out;
}

/** a ∪ b. */
export function unionRanges(a: readonly TimeRange[], b: readonly TimeRange[]): TimeRange[] {
  return normalizeRanges([...a, ...b]);
}

/** a − b: the parts of `a` not in `b`. */
export function subtractRanges(a: readonly TimeRange[], b: readonly TimeRange[]): TimeRange[] {
  const na = normalizeRanges(a);
  const nb = normalizeRanges(b);
  if (nb.length === 0) return na;
  const out: TimeRange[] = [];
  let j = 0;
  for (const r of na) {
    let start = r.start;
    // Skip the b ranges wholly before this one (they cannot affect later a ranges either).
    while (j < nb.length && nb[j]!.end <= start) j++;
    let k = j;
    while (k < nb.length && nb[k]!.start < r.end) {
      const cut = nb[k]!;
      if (cut.start > start) out.push({ start, end: cut.start });
      if (cut.end > start) start = cut.end;
      if (start >= r.end) break;
      k++;
    }
    if (start < r.end) out.push({ start, end: r.end });
  }
  return out;
}

/** a ∩ b. */
export function intersectRanges(a: readonly TimeRange[], b: readonly TimeRange[]): TimeRange[] {
  const na = normalizeRanges(a);
  const nb = normalizeRanges(b);
  const out: TimeRange[] = [];
  let i = 0;
  let j = 0;
  while (i < na.length && j < nb.length) {
    const x = na[i]!;
    const y = nb[j]!;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (start < end) out.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  // Results come from disjoint sorted inputs so they are sorted and disjoint; they cannot touch
  // (two touching pieces would need a gap of zero width in a or b, which normalising removed).
  return out;
}

/** True when every instant of `r` is inside `rs`. An empty `r` is always covered. */
export function coversRange(rs: readonly TimeRange[], r: TimeRange): boolean {
  if (!(r.start < r.end)) return true;
  if (rs.length === 0) return false;
  for (const x of isNormalized(rs) ? rs : normalizeRanges(rs)) {
    if (x.start <= r.start && r.end <= x.end) return true;
    if (x.start > r.start) return false;
  }
  return false;
}

/** The total length in ms of the instants in `rs` (overlaps counted once). */
export function rangeSpan(rs: readonly TimeRange[]): number {
  let total = 0;
  for (const r of normalizeRanges(rs)) total += r.end - r.start;
  return total;
}

/** The smallest single range holding all of `rs`, or `undefined` when `rs` is empty. */
export function rangeBounds(rs: readonly TimeRange[]): TimeRange | undefined {
  const n = normalizeRanges(rs);
  if (n.length === 0) return undefined;
  return { start: n[0]!.start, end: n[n.length - 1]!.end };
}

/** rs ∩ bound: the parts of `rs` inside `bound`. */
export function clipRanges(rs: readonly TimeRange[], bound: TimeRange): TimeRange[] {
  return intersectRanges(rs, [bound]);
}

/** True when `a` and `b` hold exactly the same instants. */
export function rangesEqual(a: readonly TimeRange[], b: readonly TimeRange[]): boolean {
  const na = normalizeRanges(a);
  const nb = normalizeRanges(b);
  return na.length === nb.length && na.every((r, i) => r.start === nb[i]!.start && r.end === nb[i]!.end);
}
