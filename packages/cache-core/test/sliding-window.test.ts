import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBarcacheError } from '../src/errors.js';
import { blockEndOf, blockStartOf } from '../src/planning/block-layout.js';
import { maxResidentBlocks, planWindow, windowBlocks, windowRanges, type WindowSpec } from '../src/planning/sliding-window.js';
import { INTERVALS, type Interval } from '../src/types.js';
import { DAY_MS as DAY } from '../src/intervals.js';

const U = Date.UTC;
const d = (day: number) => U(2024, 2, day);

describe('windowRanges / windowBlocks', () => {
  const spec: WindowSpec = { interval: '1m', cursor: U(2024, 2, 5, 10), lookbackMs: 2 * DAY, aheadMs: DAY };
  it('required covers [cursor − lookback, cursor], ahead (cursor, cursor + ahead]', () => {
    expect(windowRanges(spec)).toEqual({
      required: { start: U(2024, 2, 3, 10), end: U(2024, 2, 5, 10) + 1 },
      ahead: { start: U(2024, 2, 5, 10) + 1, end: U(2024, 2, 6, 10) + 1 },
    });
    expect(windowBlocks(spec)).toEqual({ required: [d(3), d(4), d(5)], ahead: [d(6)], keep: [d(3), d(4), d(5), d(6)] });
  });
  it('a cursor exactly on a block start needs that block', () => {
    expect(windowBlocks({ interval: '1m', cursor: d(5), lookbackMs: 0, aheadMs: 0 })).toEqual({ required: [d(5)], ahead: [], keep: [d(5)] });
  });
  it('the session range clips the window: nothing outside it is kept', () => {
    const clipped = windowBlocks({ ...spec, range: { start: d(4), end: d(5) + DAY / 2 } });
    expect(clipped).toEqual({ required: [d(4), d(5)], ahead: [], keep: [d(4), d(5)] });
  });
  it('a window of daily bars spans year blocks', () => {
    const w = windowBlocks({ interval: '1d', cursor: U(2025, 0, 3), lookbackMs: 30 * DAY, aheadMs: 400 * DAY });
    expect(w.required).toEqual([U(2024, 0, 1), U(2025, 0, 1)]);
    expect(w.ahead).toEqual([U(2026, 0, 1)]);
  });
  it('rejects bad specs', () => {
    for (const bad of [
      { ...spec, cursor: NaN },
      { ...spec, lookbackMs: -1 },
      { ...spec, aheadMs: Infinity },
    ]) {
      let err: unknown;
      try {
        windowBlocks(bad);
      } catch (e) {
        err = e;
      }
      expect(isBarcacheError(err, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('planWindow', () => {
  const spec: WindowSpec = { interval: '1m', cursor: U(2024, 2, 5, 10), lookbackMs: 2 * DAY, aheadMs: DAY };
  it('loads what is missing (urgent first) and drops what fell behind the lookback', () => {
    const plan = planWindow(spec, [d(1), d(2), d(3), d(4)]);
    expect(plan.urgent).toEqual([d(5)]);
    expect(plan.load).toEqual([d(5), d(6)]);
    expect(plan.drop).toEqual([d(1), d(2)]);
  });
  it('nothing to do when the window is resident', () => {
    const plan = planWindow(spec, new Set([d(3), d(4), d(5), d(6)]));
    expect([plan.load, plan.urgent, plan.drop]).toEqual([[], [], []]);
  });
  it('a cursor that moves back drops the blocks ahead of the new window', () => {
    const plan = planWindow({ ...spec, cursor: d(2) }, [d(3), d(4), d(5), d(6)]);
    expect(plan.drop).toEqual([d(4), d(5), d(6)]);
    expect(plan.urgent).toEqual([U(2024, 1, 29), d(1), d(2)]); // leap day included
    expect(plan.ahead).toEqual([d(3)]);
  });
  it('walking a year of 1m bars: bounded memory, each block loaded once, required always resident', () => {
    const interval: Interval = '1m';
    const lookbackMs = 3 * DAY;
    const aheadMs = 2 * DAY;
    const range = { start: U(2023, 0, 1), end: U(2024, 0, 1) };
    const resident = new Set<number>();
    const loads = new Map<number, number>();
    const bound = maxResidentBlocks(interval, lookbackMs, aheadMs);
    for (let cursor = range.start + lookbackMs; cursor < range.end; cursor += 37 * 60_000) {
      const plan = planWindow({ interval, cursor, lookbackMs, aheadMs, range }, resident);
      for (const s of plan.drop) resident.delete(s);
      for (const s of plan.load) {
        resident.add(s);
        loads.set(s, (loads.get(s) ?? 0) + 1);
      }
      expect(resident.size).toBeLessThanOrEqual(bound);
      for (const s of plan.required) expect(resident.has(s)).toBe(true);
    }
    expect([...loads.values()].every((n) => n === 1)).toBe(true);
    expect(loads.size).toBe(365);
  });
  it('property: keep = required ∪ ahead; load ∪ (resident ∩ keep) = keep; drop = resident − keep; keep within the bound', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Interval>(...INTERVALS),
        fc.integer({ min: U(2000, 0, 1), max: U(2030, 0, 1) }),
        fc.integer({ min: 0, max: 400 * DAY }),
        fc.integer({ min: 0, max: 100 * DAY }),
        fc.array(fc.integer({ min: U(1999, 0, 1), max: U(2031, 0, 1) }), { maxLength: 10 }),
        (interval, cursor, lookbackMs, aheadMs, times) => {
          const resident = new Set(times.map((t) => blockStartOf(interval, t)));
          const plan = planWindow({ interval, cursor, lookbackMs, aheadMs }, resident);
          const keep = new Set(plan.keep);
          expect(new Set([...plan.required, ...plan.ahead])).toEqual(keep);
          expect(new Set([...plan.load, ...[...resident].filter((s) => keep.has(s))])).toEqual(keep);
          expect(plan.drop).toEqual([...resident].filter((s) => !keep.has(s)).sort((a, b) => a - b));
          expect(plan.load.slice(0, plan.urgent.length)).toEqual(plan.urgent);
          expect(plan.load).toEqual([...plan.load].sort((x, y) => x - y));
          expect(plan.keep.length).toBeLessThanOrEqual(maxResidentBlocks(interval, lookbackMs, aheadMs));
          // The cursor's own block is always required.
          expect(plan.required).toContain(blockStartOf(interval, cursor));
          expect(blockEndOf(interval, plan.keep[plan.keep.length - 1]!)).toBeGreaterThan(cursor + aheadMs);
        },
      ),
      { numRuns: 500 },
    );
  });
});
