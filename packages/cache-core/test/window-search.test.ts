import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lowerBoundNear, seekWindow, stepWindow, upperBoundNear } from '../src/tiers/memory/window-search.js';

/** The plain definitions the searches must agree with. */
function lowerBound(time: Float64Array, t: number): number {
  let i = 0;
  while (i < time.length && time[i]! < t) i++;
  return i;
}
function upperBound(time: Float64Array, t: number): number {
  let i = 0;
  while (i < time.length && time[i]! <= t) i++;
  return i;
}

const BASE = 1_700_000_000_000;

/** Strictly ascending times with gaps (weekends, holidays) of 1..5 steps. */
const timesArb = fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 120, size: 'max' }).map((gaps) => {
  const out = new Float64Array(gaps.length);
  let t = BASE;
  gaps.forEach((g, i) => (out[i] = t += g * 86_400_000));
  return out;
});

describe('window-search: bounds found from the previous window', () => {
  // Targets every half day from before the first bar to after the last: on bars, between them, outside.
  const targetArb = fc.integer({ min: -4, max: 1300 }).map((halfDays) => BASE + halfDays * 43_200_000);

  it('lowerBoundNear agrees with a plain lower bound for every hint, in and out of range', () => {
    fc.assert(
      fc.property(timesArb, fc.integer({ min: -3, max: 130 }), targetArb, (time, hint, t) => {
        expect(lowerBoundNear(time, time.length, t, hint)).toBe(lowerBound(time, t));
      }),
      { numRuns: 3000 },
    );
  });

  it('lowerBoundNear agrees at a bar ±1 ms with the hint at or next to the answer (where the early returns decide)', () => {
    fc.assert(
      fc.property(timesArb, fc.nat(), fc.integer({ min: -1, max: 1 }), fc.integer({ min: -2, max: 2 }), (time, i, offMs, dh) => {
        const n = time.length;
        const t = n === 0 ? BASE + offMs : time[i % n]! + offMs;
        const answer = lowerBound(time, t);
        expect(lowerBoundNear(time, n, t, answer + dh)).toBe(answer);
      }),
      { numRuns: 3000 },
    );
  });

  it('upperBoundNear agrees with a plain upper bound for every guess', () => {
    fc.assert(
      fc.property(timesArb, fc.integer({ min: -3, max: 200 }), targetArb, fc.integer({ min: 0, max: 40 }), (time, guess, t, back) => {
        // `from` as the read path computes it: the lower bound of a start <= t.
        const from = lowerBound(time, t - back * 86_400_000);
        expect(upperBoundNear(time, time.length, t, from, guess)).toBe(upperBound(time, t));
      }),
      { numRuns: 3000 },
    );
  });

  it('a walk forward a bar at a time with a fixed lookback gives the same windows as plain searches', () => {
    const time = new Float64Array(500).map((_, i) => 1_700_000_000_000 + (i + Math.floor(i / 5) * 2) * 86_400_000);
    let hintFrom = 0;
    let hintLength = 0;
    for (let d = 29; d < time.length; d++) {
      const start = time[d - 29]!;
      const end = time[d]!;
      const from = lowerBoundNear(time, time.length, start, hintFrom);
      const to = upperBoundNear(time, time.length, end, from, from + hintLength);
      expect([from, to]).toEqual([d - 29, d + 1]);
      hintFrom = from;
      hintLength = to - from;
    }
  });

  // A window query: edges on a bar, a ms either side, or between bars; start <= end.
  const edgeArb = (time: Float64Array) =>
    fc.tuple(fc.integer({ min: -2, max: time.length + 1 }), fc.constantFrom(0, 1, -1, 0.5, 43_200_000)).map(([i, off]) => {
      const n = time.length;
      const base = n === 0 ? BASE : i < 0 ? time[0]! + i * 86_400_000 : i >= n ? time[n - 1]! + (i - n + 1) * 86_400_000 : time[i]!;
      return base + off;
    });

  // A series, an ordered [start, end] query and any cursor (hints in and out of range).
  const windowCaseArb = timesArb.chain((time) =>
    fc.tuple(edgeArb(time), edgeArb(time), fc.integer({ min: -3, max: 130 }), fc.integer({ min: 0, max: 200 })).map(([a, b, hintFrom, hintLength]) => ({
      time,
      start: Math.min(a, b),
      end: Math.max(a, b),
      hintFrom,
      hintLength,
    })),
  );

  it('stepWindow moves the cursor only onto the exact window, and always for the next bar at the same length', () => {
    fc.assert(
      fc.property(windowCaseArb, ({ time, start, end, hintFrom, hintLength }) => {
        const n = time.length;
        const from = lowerBound(time, start);
        const to = upperBound(time, end);
        const cursor = { hintFrom, hintLength };
        if (stepWindow(cursor, time, n, start, end)) expect(cursor).toEqual({ hintFrom: from, hintLength: to - from });
        else expect(cursor).toEqual({ hintFrom, hintLength }); // unchanged
        // From the window one bar back at the same length, the step always decides (no search needed).
        if (from > 0) {
          const back = { hintFrom: from - 1, hintLength: to - from };
          expect(stepWindow(back, time, n, start, end)).toBe(true);
          expect(back).toEqual({ hintFrom: from, hintLength: to - from });
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('seekWindow finds the exact window from any cursor', () => {
    fc.assert(
      fc.property(windowCaseArb, ({ time, start, end, hintFrom, hintLength }) => {
        const from = lowerBound(time, start);
        const cursor = { hintFrom, hintLength };
        seekWindow(cursor, time, time.length, start, end);
        expect(cursor).toEqual({ hintFrom: from, hintLength: upperBound(time, end) - from });
      }),
      { numRuns: 5000 },
    );
  });
});

