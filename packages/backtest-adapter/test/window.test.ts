import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { barAsOf, lowerBound, sliceWithLookback, upperBound, windowEndingAt } from '../src/window.js';
import { DAY_MS as D } from '@barcache/cache-core';

const bars = (times: number[]) => times.map((time) => ({ time }));

describe('window logic', () => {
  const b = bars([10, 11, 14, 15, 16, 17, 18, 21].map((d) => d * D));

  it('finds bounds', () => {
    expect(lowerBound(b, 14 * D)).toBe(2);
    expect(lowerBound(b, 12 * D)).toBe(2);
    expect(upperBound(b, 14 * D)).toBe(3);
    expect(lowerBound(b, 100 * D)).toBe(b.length);
    expect(upperBound([], 0)).toBe(0);
  });

  it('slices exactly `lookback` bars before the first bar at or after start, then through end', () => {
    const s = sliceWithLookback(b, 13 * D, 17 * D, 2);
    expect(s.bars.map((x) => x.time / D)).toEqual([10, 11, 14, 15, 16, 17]);
    expect(s).toMatchObject({ lookbackBars: 2, mainBars: 4 });
    const short = sliceWithLookback(b, 11 * D, 11 * D, 5);
    expect(short).toMatchObject({ lookbackBars: 1, mainBars: 1 });
    const none = sliceWithLookback(b, 12 * D, 13 * D, 2);
    expect(none).toMatchObject({ lookbackBars: 2, mainBars: 0 });
    expect(none.bars.map((x) => x.time / D)).toEqual([10, 11]);
  });

  it('reads as of a time, never later', () => {
    expect(barAsOf(b, 13 * D)?.time).toBe(11 * D);
    expect(barAsOf(b, 14 * D)?.time).toBe(14 * D);
    expect(barAsOf(b, 9 * D)).toBeUndefined();
    expect(windowEndingAt(b, 15 * D + 5, 3).map((x) => x.time / D)).toEqual([11, 14, 15]);
    expect(windowEndingAt(b, 10 * D, 3).map((x) => x.time / D)).toEqual([10]);
  });

  it('agrees with a linear scan (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 60 }),
        fc.integer({ min: -5, max: 205 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 20 }),
        (ts, start, span, lookback) => {
          const sorted = bars([...ts].sort((x, y) => x - y));
          const end = start + span;
          const s = sliceWithLookback(sorted, start, end, lookback);
          const main = sorted.filter((x) => x.time >= start && x.time <= end);
          const before = sorted.filter((x) => x.time < start).slice(-lookback);
          expect(s.bars).toEqual([...before, ...main]);
          expect(s.lookbackBars).toBe(before.length);
          expect(s.mainBars).toBe(main.length);
          expect(windowEndingAt(sorted, end, lookback)).toEqual(sorted.filter((x) => x.time <= end).slice(-lookback));
        },
      ),
    );
  });
});
