/**
 * settledMemoHit: the hot path's first try, before the general L1 check. It may only say yes
 * where the general check would: inside the longest settled span, for a memoised, unwindowed series.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { ReadPath } from '../src/cache/read-path.js';
import type { CacheContext } from '../src/cache/cache-context.js';
import type { SeriesRef } from '../src/cache/query-parsing.js';
import { emptyResident, MemoryTier, replaceColumns, setSettled, settledMemoHit, settledWindow, type ResidentMemo } from '../src/tiers/memory/memory-tier.js';

const DAY = 86_400_000;
const NOW = 400 * DAY;
const KEY = { provider: 'P', symbol: 'S', interval: '1d' } as const;

/** A read path over one pinned series of 300 daily bars, all loaded, `settled` (and servable) as given. */
function readPathOver(settled: { start: number; end: number }[], earliestTime: number): ReadPath {
  const entry = emptyResident('P|S|1d', '1d');
  const bars = Array.from({ length: 300 }, (_, i) => ({ time: i * DAY, open: i, high: i, low: i, close: i, volume: i }));
  replaceColumns(entry, BarColumns.fromBars(bars));
  entry.loaded = [{ start: 0, end: 300 * DAY }];
  entry.servable = [...settled].sort((a, b) => a.start - b.start);
  setSettled(entry, settled);
  const memory = new MemoryTier({ maxBytes: 1e9 });
  memory.pin(entry, Symbol('session'));
  // Only what the L1 check reads; the slow-path parts are never reached by columnsFromMemory.
  const ctx = { memory, earliestTime, now: () => NOW } as unknown as CacheContext;
  return new ReadPath(ctx, {} as never, {} as never, {} as never);
}

const times = (w: { time: Float64Array } | undefined) => (w === undefined ? 'not in memory' : Array.from(w.time));

function memoOf(settled: { start: number; end: number }[]): ResidentMemo {
  const entry = emptyResident('S|1d', '1d');
  setSettled(entry, settled);
  return { id: entry.id, memoEntry: entry };
}

describe('settledMemoHit', () => {
  it('answers exactly the inclusive ranges inside the longest settled span', () => {
    const memo = memoOf([{ start: 10 * DAY, end: 20 * DAY }]);
    expect(settledMemoHit(memo, 10 * DAY, 20 * DAY - 1)).toBe(memo.memoEntry); // both edges
    expect(settledMemoHit(memo, 10 * DAY, 20 * DAY)).toBeUndefined(); // end is inclusive: one ms past the span
    expect(settledMemoHit(memo, 10 * DAY - 1, 15 * DAY)).toBeUndefined();
    expect(settledMemoHit(memo, 15 * DAY, 14 * DAY)).toBeUndefined(); // reversed (peekColumns has refused it before this)
    expect(settledMemoHit(memo, Number.NaN, 15 * DAY)).toBeUndefined();
    expect(settledMemoHit(memo, 12 * DAY, Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it('says no without a memoised entry, for a windowed series, or with nothing settled', () => {
    expect(settledMemoHit({ id: 'S|1d', memoEntry: undefined }, 1, 2)).toBeUndefined();
    const windowed = memoOf([{ start: 0, end: 100 * DAY }]);
    windowed.memoEntry!.window = { lookbackMs: DAY, aheadMs: DAY, range: { start: 0, end: 100 * DAY }, nextAdvanceAt: 50 * DAY, advancing: false };
    expect(settledMemoHit(windowed, DAY, 2 * DAY)).toBeUndefined();
    expect(settledMemoHit(memoOf([]), DAY, 2 * DAY)).toBeUndefined();
    // The inlined path says no in the same cases (a windowed series moves under the general check).
    expect(settledWindow({ id: 'S|1d', memoEntry: undefined }, 1, 2, 0)).toBeUndefined();
    expect(settledWindow(windowed, DAY, 2 * DAY, 0)).toBeUndefined();
    expect(settledWindow(memoOf([]), DAY, 2 * DAY, 0)).toBeUndefined();
    windowed.memoEntry!.window = undefined;
    expect(settledWindow(windowed, DAY, 2 * DAY, 0)).toBeDefined(); // the same entry, unwindowed
  });

  it('columnsFromMemory answers through the fast path exactly as through the general check (spans, earliest times, fractional ms)', () => {
    // Disjoint settled ranges over 300 daily bars; the earliest time anywhere, also inside a span.
    const settledArb = fc.uniqueArray(fc.integer({ min: 0, max: 29 }), { maxLength: 4 }).map((ks) =>
      ks.sort((a, b) => a - b).map((k) => ({ start: k * 10 * DAY, end: k * 10 * DAY + (1 + (k % 9)) * DAY })),
    );
    const timeArb = fc.tuple(fc.integer({ min: -20, max: 320 }), fc.constantFrom(0, 1, -1, 0.5, DAY / 2)).map(([d, o]) => d * DAY + o);
    const off = fc.tuple(fc.integer({ min: -2, max: 2 }), fc.constantFrom(0, 1, -1, 0.5)).map(([d, o]) => d * DAY + o);
    fc.assert(
      fc.property(settledArb, timeArb, fc.nat(), fc.boolean(), fc.boolean(), off, off, timeArb, timeArb, fc.boolean(), (settled, earliest0, i, sEdge, eEdge, so, eo, ra, rb, earliestInSpan) => {
        // Query edges on, next to and between a span's edges, or anywhere.
        const sp = settled.length > 0 ? settled[i % settled.length]! : { start: 0, end: 0 };
        let a = (sEdge ? sp.start : sp.end) + so;
        let b = (eEdge ? sp.end : sp.start) + eo;
        if (i % 5 === 0) a = ra;
        if (i % 7 === 0) b = rb;
        const [start, end] = a <= b ? [a, b] : [b, a];
        const read = readPathOver(settled, earliestInSpan ? sp.start + so : earliest0);
        const warm: SeriesRef = { key: KEY, id: 'P|S|1d', memoEntry: undefined };
        read.columnsFromMemory(warm, 0, 0); // memoises the pinned entry: the fast path may answer
        expect(warm.memoEntry).toBeDefined();
        const cold: SeriesRef = { key: KEY, id: 'P|S|1d', memoEntry: undefined }; // no memo yet: the general check answers
        expect(times(read.columnsFromMemory(warm, start, end))).toEqual(times(read.columnsFromMemory(cold, start, end)));
      }),
      { numRuns: 20_000 },
    );
  });

  it('settledWindow (the inlined path of peekColumns) answers only what the general check answers, the same bars, over runs of queries', () => {
    // Disjoint settled ranges of 5 to 29 days over the 300 bars.
    const settledArb = fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 }).map((ks) =>
      ks.sort((a, b) => a - b).map((k) => ({ start: k * 30 * DAY, end: k * 30 * DAY + (5 + ((k * 7) % 25)) * DAY })),
    );
    const earliestArb = fc.oneof(fc.integer({ min: -20, max: 0 }), fc.integer({ min: 0, max: 300 }));
    const off = fc.constantFrom(0, 1, -1, 0.5, DAY / 2);
    // A run: mostly next-day windows of a fixed length (the step case), some jumps, some bad bounds.
    const stepArb = fc.oneof(
      { weight: 6, arbitrary: fc.constant({ kind: 'next' as const }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('jump' as const), a: fc.integer({ min: -20, max: 320 }), len: fc.integer({ min: 0, max: 40 }), so: off, eo: off }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('bad' as const), v: fc.constantFrom<unknown>('2024-01-01', null, undefined, Number.NaN, new Date(5 * DAY), -Infinity, Infinity) }) },
    );
    let hits = 0;
    let queries = 0;
    fc.assert(
      fc.property(settledArb, earliestArb, fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 6 }), (settled, earliestDay, steps, len0) => {
        const earliest = earliestDay * DAY;
        const read = readPathOver(settled, earliest);
        const warm: SeriesRef = { key: KEY, id: 'P|S|1d', memoEntry: undefined };
        read.columnsFromMemory(warm, 0, 0); // memoises the pinned entry
        const longest = settled.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
        let start = longest.start;
        let end = start + len0 * DAY;
        for (const step of steps) {
          let s: unknown = start;
          let e: unknown = end;
          if (step.kind === 'next') {
            start += DAY;
            end += DAY;
            s = start;
            e = end;
          } else if (step.kind === 'jump') {
            start = step.a * DAY + step.so;
            end = start + step.len * DAY + step.eo;
            s = start;
            e = end;
          } else if (steps.indexOf(step) % 2 === 0) s = step.v;
          else e = step.v;
          const fast = settledWindow(warm, s, e, earliest);
          queries++;
          if (fast === undefined) continue; // the checked path answers those
          hits++;
          expect(typeof s === 'number' && typeof e === 'number' && s >= earliest && s <= e).toBe(true);
          const cold: SeriesRef = { key: KEY, id: 'P|S|1d', memoEntry: undefined };
          expect(times(fast)).toEqual(times(read.columnsFromMemory(cold, s as number, e as number)));
        }
      }),
      { numRuns: 5000 },
    );
    expect(hits / queries).toBeGreaterThan(0.2); // the runs do reach the path under test
  });
});

