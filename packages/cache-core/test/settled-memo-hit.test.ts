/**
 * settledMemoHit: the hot path's first try, before the general L1 check. It may only say yes
 * where the general check would: inside the longest settled span, for a memoised, unwindowed series.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyResident, setSettled, settledMemoHit, type ResidentMemo } from '../src/tiers/memory/memory-tier.js';

const DAY = 86_400_000;

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
    expect(settledMemoHit(memo, 15 * DAY, 14 * DAY)).toBeUndefined(); // reversed: the general path throws
    expect(settledMemoHit(memo, Number.NaN, 15 * DAY)).toBeUndefined();
    expect(settledMemoHit(memo, 12 * DAY, Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it('says no without a memoised entry, for a windowed series, or with nothing settled', () => {
    expect(settledMemoHit({ id: 'S|1d', memoEntry: undefined }, 1, 2)).toBeUndefined();
    const windowed = memoOf([{ start: 0, end: 100 * DAY }]);
    windowed.memoEntry!.window = { lookbackMs: DAY, aheadMs: DAY, range: { start: 0, end: 100 * DAY }, nextAdvanceAt: 50 * DAY, advancing: false };
    expect(settledMemoHit(windowed, DAY, 2 * DAY)).toBeUndefined();
    expect(settledMemoHit(memoOf([]), DAY, 2 * DAY)).toBeUndefined();
  });

  it('never says yes to a range some settled range does not hold whole (any spans, any query)', () => {
    const range = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 300 })).map(([s, len]) => ({ start: s, end: s + len }));
    fc.assert(
      fc.property(fc.array(range, { maxLength: 4 }), fc.integer({ min: -10, max: 1400 }), fc.integer({ min: -10, max: 1400 }), (settled, start, end) => {
        const memo = memoOf(settled);
        const hit = settledMemoHit(memo, start, end);
        const heldWhole = start <= end && settled.some((r) => r.start <= start && end + 1 <= r.end);
        if (hit !== undefined) expect(heldWhole).toBe(true);
      }),
    );
  });
});
