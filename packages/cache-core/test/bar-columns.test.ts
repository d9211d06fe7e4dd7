import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import type { Bar } from '../src/types.js';
import { yahooLikeDaily } from './synthetic-series.js';
import { DAY_MS as DAY } from '../src/intervals.js';

const bar = (time: number, close: number, adjClose?: number): Bar =>
  adjClose === undefined
    ? { time, open: close - 1, high: close + 1, low: close - 2, close, volume: close * 10 }
    : { time, open: close - 1, high: close + 1, low: close - 2, close, volume: close * 10, adjClose };

/** The reference semantics of fromBars: sort by time, last given wins on equal times. */
function reference(bars: readonly Bar[]): Bar[] {
  const byTime = new Map<number, Bar>();
  for (const b of bars) byTime.set(b.time, b);
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

const arbBars = fc.array(
  fc.record({
    time: fc.integer({ min: 0, max: 60 }).map((d) => d * DAY),
    close: fc.integer({ min: 1, max: 1000 }),
    adj: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
  }),
  { maxLength: 40 },
);
const toBarList = (xs: { time: number; close: number; adj: number | undefined }[], withAdj: boolean) =>
  xs.map((x) => bar(x.time, x.close, withAdj ? x.adj ?? x.close : undefined));

describe('BarColumns', () => {
  it('empty() has no bars and no adjClose', () => {
    const e = BarColumns.empty();
    expect(e.length).toBe(0);
    expect(e.adjClose).toBeUndefined();
    expect(e.toBars()).toEqual([]);
    expect(e.sliceBars(-Infinity, Infinity)).toEqual([]);
    expect(e.byteLength).toBe(0);
  });

  it('fromBars sorts and keeps the LAST of duplicate times', () => {
    const cols = BarColumns.fromBars([bar(3 * DAY, 30), bar(DAY, 10), bar(3 * DAY, 31), bar(2 * DAY, 20)]);
    expect(cols.toBars().map((b) => [b.time / DAY, b.close])).toEqual([
      [1, 10],
      [2, 20],
      [3, 31],
    ]);
    expect(cols.adjClose).toBeUndefined();
    expect(Object.keys(cols.toBars()[0]!)).toEqual(['time', 'open', 'high', 'low', 'close', 'volume']);
  });

  it('fromBars matches the reference on random input (fast-check)', () => {
    fc.assert(
      fc.property(arbBars, fc.boolean(), (xs, withAdj) => {
        const bars = toBarList(xs, withAdj);
        expect(BarColumns.fromBars(bars).toBars()).toEqual(reference(bars));
      }),
    );
  });

  it('adjClose is a column only if some bar has one; bars without it stay without it', () => {
    const cols = BarColumns.fromBars([bar(0, 1), bar(DAY, 2, 1.5)]);
    expect(cols.adjClose).toBeDefined();
    expect(cols.toBars()).toEqual([bar(0, 1), bar(DAY, 2, 1.5)]);
    expect(Object.keys(cols.toBars()[1]!)).toEqual(['time', 'open', 'high', 'low', 'close', 'volume', 'adjClose']);
    expect(cols.byteLength).toBe(2 * 7 * 8);
  });

  it('lowerBound / upperBound / sliceBars (inclusive both ends)', () => {
    const cols = BarColumns.fromBars([bar(10, 1), bar(20, 2), bar(30, 3)]);
    expect([5, 10, 15, 30, 31].map((t) => cols.lowerBound(t))).toEqual([0, 0, 1, 2, 3]);
    expect([5, 10, 15, 30, 31].map((t) => cols.upperBound(t))).toEqual([0, 1, 1, 3, 3]);
    expect(cols.sliceBars(10, 30).map((b) => b.time)).toEqual([10, 20, 30]);
    expect(cols.sliceBars(11, 29).map((b) => b.time)).toEqual([20]);
    expect(cols.sliceBars(31, 40)).toEqual([]);
    expect(cols.sliceBars(30, 10)).toEqual([]);
    // Fresh objects each call: callers may mutate them.
    const a = cols.sliceBars(10, 10)[0]!;
    a.close = 99;
    expect(cols.sliceBars(10, 10)[0]!.close).toBe(1);
  });

  it('sliceBars agrees with filtering toBars (fast-check)', () => {
    fc.assert(
      fc.property(arbBars, fc.integer({ min: -5, max: 70 }), fc.integer({ min: -5, max: 70 }), (xs, a, b) => {
        const cols = BarColumns.fromBars(toBarList(xs, true));
        const [s, e] = [a * DAY, b * DAY];
        expect(cols.sliceBars(s, e)).toEqual(cols.toBars().filter((x) => x.time >= s && x.time <= e));
      }),
    );
  });

  it('view shares memory; filterRange is half-open; without removes [start, end)', () => {
    const cols = BarColumns.fromBars([0, 1, 2, 3, 4].map((d) => bar(d * DAY, d + 1, d + 1)));
    const v = cols.view(1, 3);
    expect(v.toBars().map((b) => b.close)).toEqual([2, 3]);
    expect(v.time.buffer).toBe(cols.time.buffer);
    expect(v.byteLength).toBe(2 * 7 * 8);
    expect(cols.filterRange({ start: DAY, end: 3 * DAY }).toBars().map((b) => b.close)).toEqual([2, 3]);
    expect(cols.without({ start: DAY, end: 3 * DAY }).toBars().map((b) => b.close)).toEqual([1, 4, 5]);
    expect(cols.without({ start: 10 * DAY, end: 20 * DAY })).toBe(cols);
    expect(cols.without({ start: -DAY, end: 10 * DAY }).length).toBe(0);
    expect(cols.view(3, 1).length).toBe(0);
  });

  it('merge: union by time, incoming wins, sorted (fast-check)', () => {
    fc.assert(
      fc.property(arbBars, arbBars, fc.boolean(), fc.boolean(), (xa, xb, adjA, adjB) => {
        const a = toBarList(xa, adjA);
        const b = toBarList(xb, adjB).map((x) => ({ ...x, open: -x.open }));
        const merged = BarColumns.merge(BarColumns.fromBars(a), BarColumns.fromBars(b));
        expect(merged.toBars()).toEqual(reference([...a, ...b]));
      }),
      { numRuns: 300 },
    );
  });

  it('merge fast path: disjoint ranges concatenate in either order', () => {
    const a = BarColumns.fromBars([bar(0, 1), bar(DAY, 2)]);
    const b = BarColumns.fromBars([bar(5 * DAY, 5)]);
    expect(BarColumns.merge(a, b).toBars().map((x) => x.close)).toEqual([1, 2, 5]);
    expect(BarColumns.merge(b, a).toBars().map((x) => x.close)).toEqual([1, 2, 5]);
    expect(BarColumns.merge(a, BarColumns.empty())).toBe(a);
    expect(BarColumns.merge(BarColumns.empty(), a)).toBe(a);
  });

  it('concat joins ordered parts and rejects overlapping ones', () => {
    const a = BarColumns.fromBars([bar(0, 1)]);
    const b = BarColumns.fromBars([bar(DAY, 2, 2)]);
    const c = BarColumns.concat([a, BarColumns.empty(), b]);
    expect(c.toBars()).toEqual([bar(0, 1), bar(DAY, 2, 2)]);
    expect(() => BarColumns.concat([b, a])).toThrow(TypeError);
    expect(BarColumns.concat([])).toBe(BarColumns.empty());
  });

  it('scalePrices re-bases bars before a split, adjClose included, as a copy', () => {
    const cols = BarColumns.fromBars([bar(0, 100, 90), bar(DAY, 200, 180), bar(2 * DAY, 50, 50)]);
    const scaled = cols.scalePrices(0.5, 2 * DAY);
    expect(scaled.toBars()).toEqual([
      { time: 0, open: 49.5, high: 50.5, low: 49, close: 50, volume: 2000, adjClose: 45 },
      { time: DAY, open: 99.5, high: 100.5, low: 99, close: 100, volume: 4000, adjClose: 90 },
      bar(2 * DAY, 50, 50),
    ]);
    expect(cols.close[0]).toBe(100);
    expect(() => cols.scalePrices(0, 1)).toThrow(TypeError);
  });

  it('rejects columns of unequal length', () => {
    const f = (n: number) => new Float64Array(n);
    expect(() => new BarColumns({ time: f(2), open: f(2), high: f(2), low: f(2), close: f(1), volume: f(2) })).toThrow(TypeError);
  });

});

describe('BarColumns.concat of adjacent views', () => {
  const withoutAdj = (bars: Bar[]): Bar[] => bars.map(({ adjClose: _drop, ...rest }) => rest);

  const cols = BarColumns.fromBars(yahooLikeDaily(1, 3));

  it('joins views that lie back to back into one view of the same memory', () => {
    const joined = BarColumns.concat([cols.view(0, 10), cols.view(10, 50), cols.view(50, 60)]);
    expect(joined.time.buffer).toBe(cols.time.buffer);
    expect(joined.toBars()).toEqual(cols.toBars(0, 60));
  });

  it('copies views with a gap, out of order, or of different buffers', () => {
    const gap = BarColumns.concat([cols.view(0, 10), cols.view(11, 20)]);
    expect(gap.time.buffer).not.toBe(cols.time.buffer);
    expect(gap.toBars()).toEqual([...cols.toBars(0, 10), ...cols.toBars(11, 20)]);
    expect(() => BarColumns.concat([cols.view(10, 20), cols.view(0, 10)])).toThrow(TypeError);
    const other = BarColumns.fromBars([{ time: cols.last! + DAY, open: 1, high: 1, low: 1, close: 1, volume: 1, adjClose: 1 }]);
    const mixed = BarColumns.concat([cols, other]);
    expect(mixed.time.buffer).not.toBe(cols.time.buffer);
    expect(mixed.length).toBe(cols.length + 1);
  });

  it('copies when only some parts have adjClose', () => {
    const joined = BarColumns.concat([cols.view(0, 5), cols.view(5, 10).withoutAdjClose()]);
    expect(joined.time.buffer).not.toBe(cols.time.buffer);
    expect(joined.toBars()).toEqual([...cols.toBars(0, 5), ...withoutAdj(cols.toBars(5, 10))]);
  });
});

describe('BarColumns.upperBoundFrom', () => {
  it('agrees with upperBound from any start at or before the answer (fast-check)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { maxLength: 80 }), fc.integer({ min: -5, max: 505 }), fc.nat(), (ts, t, pick) => {
        const times = [...ts].sort((a, b) => a - b);
        const cols = BarColumns.fromBars(times.map((time) => ({ time, open: 1, high: 1, low: 1, close: 1, volume: 1 })));
        const answer = cols.upperBound(t);
        const from = answer === 0 ? 0 : pick % (answer + 1);
        expect(cols.upperBoundFrom(t, from)).toBe(answer);
      }),
    );
  });
});
