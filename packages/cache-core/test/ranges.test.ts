import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clipRanges,
  coversRange,
  intersectRanges,
  isNormalized,
  normalizeRanges,
  rangeBounds,
  rangesEqual,
  rangeSpan,
  subtractRanges,
  unionRanges,
} from '../src/planning/ranges.js';
import type { TimeRange } from '../src/types.js';

const r = (start: number, end: number): TimeRange => ({ start, end });

// A model: with integer bounds in [0, N), a half-open set is exactly the set of integers in it.
const N = 40;
const arbRange = fc.tuple(fc.integer({ min: 0, max: N }), fc.integer({ min: 0, max: N })).map(([a, b]) => r(a, b));
const arbRanges = fc.array(arbRange, { maxLength: 8 });
function cells(rs: readonly TimeRange[]): boolean[] {
  const out = new Array<boolean>(N).fill(false);
  for (const x of rs) for (let i = Math.max(0, x.start); i < Math.min(N, x.end); i++) out[i] = true;
  return out;
}

describe('normalizeRanges', () => {
  it('drops empty and inverted ranges, sorts, merges overlapping and adjacent', () => {
    expect(normalizeRanges([r(5, 5), r(9, 3), r(10, 20), r(0, 4), r(4, 6), r(15, 25), r(30, 31)])).toEqual([
      r(0, 6),
      r(10, 25),
      r(30, 31),
    ]);
  });
  it('keeps ranges separated by one ms apart', () => {
    expect(normalizeRanges([r(0, 1), r(2, 3)])).toEqual([r(0, 1), r(2, 3)]);
  });
  it('drops NaN ranges and handles infinite bounds', () => {
    expect(normalizeRanges([r(NaN, 3), r(-Infinity, 0), r(0, Infinity)])).toEqual([r(-Infinity, Infinity)]);
  });
  it('returns fresh objects without extra fields and never mutates input', () => {
    const input = [{ start: 0, end: 2, fetchedAt: 9 }, r(1, 3)];
    const frozen = Object.freeze(input.map((x) => Object.freeze({ ...x })));
    const out = normalizeRanges(frozen);
    expect(out).toEqual([r(0, 3)]);
    const already = [{ start: 0, end: 1, fetchedAt: 1 }];
    const copy = normalizeRanges(already);
    expect(copy).toEqual([r(0, 1)]);
    expect(copy[0]).not.toBe(already[0]);
  });
  it('empty input gives []', () => {
    expect(normalizeRanges([])).toEqual([]);
  });
  it('property: output is normalised and holds exactly the input instants', () => {
    fc.assert(
      fc.property(arbRanges, (rs) => {
        const out = normalizeRanges(rs);
        expect(isNormalized(out)).toBe(true);
        expect(cells(out)).toEqual(cells(rs));
        expect(normalizeRanges(out)).toEqual(out);
      }),
    );
  });
});

describe('set operations', () => {
  it('union', () => {
    expect(unionRanges([r(0, 2)], [r(2, 4), r(10, 12)])).toEqual([r(0, 4), r(10, 12)]);
    expect(unionRanges([], [])).toEqual([]);
  });
  it('subtract: middle, edges, all, nothing', () => {
    expect(subtractRanges([r(0, 10)], [r(3, 5)])).toEqual([r(0, 3), r(5, 10)]);
    expect(subtractRanges([r(0, 10)], [r(-5, 3), r(8, 20)])).toEqual([r(3, 8)]);
    expect(subtractRanges([r(0, 10)], [r(0, 10)])).toEqual([]);
    expect(subtractRanges([r(0, 10)], [])).toEqual([r(0, 10)]);
    expect(subtractRanges([], [r(0, 10)])).toEqual([]);
    expect(subtractRanges([r(0, 10), r(20, 30)], [r(5, 25)])).toEqual([r(0, 5), r(25, 30)]);
    expect(subtractRanges([r(0, 10)], [r(-Infinity, 4)])).toEqual([r(4, 10)]);
  });
  it('subtract with many small holes', () => {
    expect(subtractRanges([r(0, 10)], [r(1, 2), r(3, 4), r(5, 6)])).toEqual([r(0, 1), r(2, 3), r(4, 5), r(6, 10)]);
  });
  it('intersect', () => {
    expect(intersectRanges([r(0, 10), r(20, 30)], [r(5, 25)])).toEqual([r(5, 10), r(20, 25)]);
    expect(intersectRanges([r(0, 5)], [r(5, 10)])).toEqual([]);
    expect(intersectRanges([r(0, 10)], [r(-Infinity, Infinity)])).toEqual([r(0, 10)]);
  });
  it('clip', () => {
    expect(clipRanges([r(9, 3), r(0, 10), r(15, 20)], r(5, 16))).toEqual([r(5, 10), r(15, 16)]);
    expect(clipRanges([r(0, 10)], r(5, 5))).toEqual([]);
  });
  it('covers', () => {
    expect(coversRange([r(0, 5), r(5, 10)], r(2, 8))).toBe(true); // adjacent pieces merge
    expect(coversRange([r(0, 5), r(6, 10)], r(2, 8))).toBe(false);
    expect(coversRange([], r(3, 3))).toBe(true);
    expect(coversRange([], r(3, 4))).toBe(false);
    expect(coversRange([r(0, 10)], r(0, 10))).toBe(true);
    expect(coversRange([r(0, 10)], r(0, 11))).toBe(false);
  });
  it('span, bounds, equality', () => {
    expect(rangeSpan([r(0, 10), r(5, 15), r(20, 21)])).toBe(16);
    expect(rangeSpan([])).toBe(0);
    expect(rangeBounds([r(20, 21), r(0, 3)])).toEqual(r(0, 21));
    expect(rangeBounds([r(3, 3)])).toBeUndefined();
    expect(rangesEqual([r(0, 2), r(2, 4)], [r(0, 4)])).toBe(true);
    expect(rangesEqual([r(0, 2)], [r(0, 3)])).toBe(false);
  });

  it('property: each operation agrees with the cell model and returns normalised output', () => {
    fc.assert(
      fc.property(arbRanges, arbRanges, arbRange, (a, b, bound) => {
        const ca = cells(a);
        const cb = cells(b);
        const checks: [TimeRange[], (i: number) => boolean][] = [
          [unionRanges(a, b), (i) => ca[i]! || cb[i]!],
          [subtractRanges(a, b), (i) => ca[i]! && !cb[i]!],
          [intersectRanges(a, b), (i) => ca[i]! && cb[i]!],
          [clipRanges(a, bound), (i) => ca[i]! && i >= bound.start && i < bound.end],
        ];
        for (const [out, want] of checks) {
          expect(isNormalized(out)).toBe(true);
          expect(cells(out)).toEqual(Array.from({ length: N }, (_, i) => want(i)));
        }
        expect(rangeSpan(a)).toBe(ca.filter(Boolean).length);
        const want = cells([bound]);
        expect(coversRange(a, bound)).toBe(want.every((w, i) => !w || ca[i]));
      }),
      { numRuns: 500 },
    );
  });
});
