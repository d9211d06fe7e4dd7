import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blockEndOf,
  blockSpans,
  blockStartOf,
  blocksOverlapping,
  blockUnit,
  isBlockStart,
  maxBlockMs,
  minBlockMs,
  widenToBlocks,
} from '../src/planning/block-layout.js';
import { INTERVALS, type Interval } from '../src/types.js';
import { DAY_MS as DAY } from '../src/intervals.js';
import { normalizeRanges } from '../src/planning/ranges.js';

const U = Date.UTC;

describe('block units', () => {
  it('maps each interval to its block', () => {
    const units = Object.fromEntries(INTERVALS.map((i) => [i, blockUnit(i)]));
    expect(units).toEqual({
      '1m': 'day',
      '2m': 'week',
      '5m': 'week',
      '15m': 'week',
      '30m': 'week',
      '60m': 'month',
      '90m': 'month',
      '1h': 'month',
      '1d': 'year',
      '5d': 'year',
      '1wk': 'year',
      '1mo': 'decade',
      '3mo': 'decade',
    });
  });
});

describe('blockStartOf / blockEndOf', () => {
  it('1m: UTC day', () => {
    const t = U(2024, 1, 29, 23, 59, 59, 999); // leap day, last ms
    expect(blockStartOf('1m', t)).toBe(U(2024, 1, 29));
    expect(blockEndOf('1m', t)).toBe(U(2024, 2, 1));
    expect(blockStartOf('1m', U(2024, 2, 1))).toBe(U(2024, 2, 1));
  });
  it('5m: ISO week starting Monday 00:00 UTC, across a year edge', () => {
    // 2024-12-30 is a Monday; its ISO week runs into 2025.
    expect(blockStartOf('5m', U(2025, 0, 1, 12))).toBe(U(2024, 11, 30));
    expect(blockEndOf('5m', U(2025, 0, 1, 12))).toBe(U(2025, 0, 6));
    expect(blockStartOf('15m', U(2024, 11, 29, 23, 59))).toBe(U(2024, 11, 23)); // Sunday belongs to the week before
    expect(new Date(blockStartOf('2m', U(2024, 5, 15))).getUTCDay()).toBe(1);
  });
  it('60m/1h/90m: UTC calendar month, including February of leap and common years', () => {
    expect(blockStartOf('60m', U(2024, 1, 29, 15))).toBe(U(2024, 1, 1));
    expect(blockEndOf('60m', U(2024, 1, 29, 15))).toBe(U(2024, 2, 1));
    expect(blockEndOf('1h', U(2023, 1, 28)) - blockStartOf('1h', U(2023, 1, 28))).toBe(28 * DAY);
    expect(blockEndOf('90m', U(2024, 1, 1)) - blockStartOf('90m', U(2024, 1, 1))).toBe(29 * DAY);
    expect(blockEndOf('60m', U(2024, 11, 31, 23))).toBe(U(2025, 0, 1));
  });
  it('1d/5d/1wk: UTC calendar year, leap and common', () => {
    expect(blockStartOf('1d', U(2024, 11, 31))).toBe(U(2024, 0, 1));
    expect(blockEndOf('1d', U(2024, 11, 31))).toBe(U(2025, 0, 1));
    expect(blockEndOf('5d', U(2024, 5, 1)) - blockStartOf('5d', U(2024, 5, 1))).toBe(366 * DAY);
    expect(blockEndOf('1wk', U(2023, 5, 1)) - blockStartOf('1wk', U(2023, 5, 1))).toBe(365 * DAY);
    expect(blockStartOf('1d', U(2025, 0, 1) - 1)).toBe(U(2024, 0, 1));
  });
  it('1mo/3mo: decades starting in a year divisible by 10', () => {
    expect(blockStartOf('1mo', U(2029, 11, 31))).toBe(U(2020, 0, 1));
    expect(blockEndOf('1mo', U(2029, 11, 31))).toBe(U(2030, 0, 1));
    expect(blockStartOf('3mo', U(2030, 0, 1))).toBe(U(2030, 0, 1));
    expect(blockStartOf('3mo', U(1999, 5, 1))).toBe(U(1990, 0, 1));
  });
  it('before 1970 and in years below 100', () => {
    expect(blockStartOf('1d', U(1969, 6, 20, 20))).toBe(U(1969, 0, 1));
    expect(blockStartOf('1m', U(1969, 11, 31, 23))).toBe(U(1969, 11, 31));
    const y50 = new Date(0);
    y50.setUTCFullYear(55, 3, 10);
    const start = new Date(blockStartOf('1mo', y50.getTime()));
    expect([start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()]).toEqual([50, 0, 1]);
  });
  it('DST is irrelevant: a day block around a US/EU DST change is 24 h', () => {
    for (const t of [U(2024, 2, 10, 7), U(2024, 2, 31, 1), U(2024, 10, 3, 6)]) {
      expect(blockEndOf('1m', t) - blockStartOf('1m', t)).toBe(DAY);
      expect(blockEndOf('5m', t) - blockStartOf('5m', t)).toBe(7 * DAY);
    }
  });
  it('min/max block lengths', () => {
    expect(maxBlockMs('1m')).toBe(DAY);
    expect(maxBlockMs('60m')).toBe(31 * DAY);
    expect(minBlockMs('60m')).toBe(28 * DAY);
    expect(maxBlockMs('1d')).toBe(366 * DAY);
  });
  it('property: start <= t < end, blocks tile time, lengths within [min, max]', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Interval>(...INTERVALS),
        fc.integer({ min: U(1900, 0, 1), max: U(2200, 0, 1) }),
        (interval, t) => {
          const s = blockStartOf(interval, t);
          const e = blockEndOf(interval, t);
          expect(s).toBeLessThanOrEqual(t);
          expect(t).toBeLessThan(e);
          expect(isBlockStart(interval, s)).toBe(true);
          expect(blockStartOf(interval, e)).toBe(e);
          expect(blockStartOf(interval, e - 1)).toBe(s);
          expect(e - s).toBeGreaterThanOrEqual(minBlockMs(interval));
          expect(e - s).toBeLessThanOrEqual(maxBlockMs(interval));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('blocksOverlapping', () => {
  it('lists the starts of the blocks a half-open range touches', () => {
    expect(blocksOverlapping('1m', { start: U(2024, 0, 1, 12), end: U(2024, 0, 3) })).toEqual([U(2024, 0, 1), U(2024, 0, 2)]);
    expect(blocksOverlapping('1m', { start: U(2024, 0, 1, 12), end: U(2024, 0, 3) + 1 })).toEqual([
      U(2024, 0, 1),
      U(2024, 0, 2),
      U(2024, 0, 3),
    ]);
    expect(blocksOverlapping('1d', { start: U(2019, 11, 31), end: U(2021, 0, 1) })).toEqual([U(2019, 0, 1), U(2020, 0, 1)]);
  });
  it('empty range → none; non-finite → RangeError', () => {
    expect(blocksOverlapping('1m', { start: 5, end: 5 })).toEqual([]);
    expect(() => blocksOverlapping('1m', { start: -Infinity, end: 5 })).toThrow(RangeError);
  });
});

describe('blockSpans', () => {
  const blocksOf = (interval: Interval, from: number, span: number) => blocksOverlapping(interval, { start: from, end: from + span });

  it('is the normalised union of the blocks\' ranges, for any subset of consecutive blocks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Interval>(...INTERVALS),
        fc.integer({ min: U(1950, 0, 1), max: U(2100, 0, 1) }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        (interval, from, blocks, keep) => {
          const all = blocksOf(interval, from, blocks * maxBlockMs(interval));
          const starts = all.filter((_, i) => keep[i % keep.length]);
          const expected = normalizeRanges(starts.map((b) => ({ start: b, end: blockEndOf(interval, b) })));
          expect(blockSpans(interval, starts)).toEqual(expected);
          // Told the blocks follow each other (all of them do): one range, the same.
          expect(blockSpans(interval, all, true)).toEqual(normalizeRanges(all.map((b) => ({ start: b, end: blockEndOf(interval, b) }))));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers nothing for no blocks', () => {
    expect(blockSpans('1d', [])).toEqual([]);
    expect(blockSpans('1d', [], true)).toEqual([]);
  });
});

describe('widenToBlocks', () => {
  it('widens to boundaries and keeps an end already on a boundary', () => {
    expect(widenToBlocks('1d', { start: U(2024, 5, 1), end: U(2024, 6, 1) })).toEqual({ start: U(2024, 0, 1), end: U(2025, 0, 1) });
    expect(widenToBlocks('1d', { start: U(2024, 0, 1), end: U(2025, 0, 1) })).toEqual({ start: U(2024, 0, 1), end: U(2025, 0, 1) });
    expect(widenToBlocks('1m', { start: U(2024, 1, 28, 10), end: U(2024, 1, 29, 0, 1) })).toEqual({
      start: U(2024, 1, 28),
      end: U(2024, 2, 1),
    });
    expect(widenToBlocks('1m', { start: 7, end: 7 })).toEqual({ start: 7, end: 7 });
  });
  it('property: widened range holds the input, is block aligned, overlaps the same blocks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Interval>(...INTERVALS),
        fc.integer({ min: U(1950, 0, 1), max: U(2100, 0, 1) }),
        fc.integer({ min: 1, max: 400 * DAY }),
        (interval, start, len) => {
          const range = { start, end: start + len };
          const w = widenToBlocks(interval, range);
          expect(w.start).toBeLessThanOrEqual(range.start);
          expect(w.end).toBeGreaterThanOrEqual(range.end);
          expect(isBlockStart(interval, w.start) && isBlockStart(interval, w.end)).toBe(true);
          expect(blocksOverlapping(interval, w)).toEqual(blocksOverlapping(interval, range));
        },
      ),
      { numRuns: 300 },
    );
  });
});
