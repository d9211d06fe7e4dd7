import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBarcacheError } from '../src/errors.js';
import { extendLookback, lookbackStart } from '../src/planning/lookback-span.js';
import type { Interval } from '../src/types.js';
import { DAY_MS as DAY } from '../src/intervals.js';

const U = Date.UTC;

/** Weekdays with a day start in [from, to). */
function weekdays(from: number, to: number): number {
  let n = 0;
  for (let t = Math.ceil(from / DAY) * DAY; t < to; t += DAY) {
    const d = new Date(t).getUTCDay();
    if (d !== 0 && d !== 6) n++;
  }
  return n;
}

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('lookbackStart', () => {
  const start = U(2024, 9, 1); // a Tuesday
  it('without a lookback returns start', () => {
    expect(lookbackStart('1d', start)).toBe(start);
    expect(lookbackStart('1d', start, {})).toBe(start);
    expect(lookbackStart('1d', start, { bars: 0, days: 0 })).toBe(start);
  });
  it('daily: 30 bars reach back at least 42 calendar days plus margin, at midnight UTC', () => {
    const s = lookbackStart('1d', start, { bars: 30 });
    expect(start - s).toBeGreaterThanOrEqual(42 * DAY);
    expect(start - s).toBeLessThanOrEqual(52 * DAY);
    expect(s % DAY).toBe(0);
    // 30 weekdays plus room for two holidays.
    expect(weekdays(s, start)).toBeGreaterThanOrEqual(32);
  });
  it('days: start minus the days, floored to midnight', () => {
    expect(lookbackStart('1d', start, { days: 30 })).toBe(start - 30 * DAY);
    expect(lookbackStart('1m', start + 5 * 3600_000, { days: 1 })).toBe(start - DAY);
  });
  it('the larger of bars and days wins', () => {
    const byBars = lookbackStart('1d', start, { bars: 30 });
    expect(lookbackStart('1d', start, { bars: 30, days: 10 })).toBe(byBars);
    expect(lookbackStart('1d', start, { bars: 5, days: 100 })).toBe(start - 100 * DAY);
  });
  it('intraday: a 6.5 h session, 5 days a week', () => {
    // 390 one-minute bars = one session; the estimate reaches back at least two weekdays.
    const s = lookbackStart('1m', U(2024, 9, 1, 14, 30), { bars: 390 });
    expect(weekdays(s, U(2024, 9, 1))).toBeGreaterThanOrEqual(2);
    // 60m: 6 bars a session (floor of 6.5) → 60 bars = 10 sessions at least.
    const h = lookbackStart('60m', start, { bars: 60 });
    expect(weekdays(h, start)).toBeGreaterThanOrEqual(10);
    // 90m: 4 bars a session.
    expect(weekdays(lookbackStart('90m', start, { bars: 40 }), start)).toBeGreaterThanOrEqual(10);
  });
  it('weekly, monthly, quarterly and 5d', () => {
    expect(lookbackStart('1wk', start, { bars: 4 })).toBe(start - 35 * DAY);
    expect(lookbackStart('1mo', U(2024, 9, 15), { bars: 12 })).toBe(U(2023, 8, 1));
    expect(lookbackStart('3mo', U(2024, 9, 15), { bars: 4 })).toBe(U(2023, 6, 1));
    expect(lookbackStart('1mo', U(2024, 9, 15), { days: 10 })).toBe(U(2024, 9, 1));
    expect(weekdays(lookbackStart('5d', start, { bars: 10 }), start)).toBeGreaterThanOrEqual(50);
  });
  it('leap years and year edges: monthly lookback across February 29', () => {
    expect(lookbackStart('1mo', U(2024, 2, 31), { bars: 1 })).toBe(U(2024, 0, 1));
    expect(lookbackStart('1mo', U(2025, 0, 5), { bars: 1 })).toBe(U(2024, 10, 1));
  });
  it('rejects negative or non-finite counts', () => {
    expect(isBarcacheError(catchErr(() => lookbackStart('1d', start, { bars: -1 })), 'INVALID_ARGUMENT')).toBe(true);
    expect(isBarcacheError(catchErr(() => lookbackStart('1d', start, { days: NaN })), 'INVALID_ARGUMENT')).toBe(true);
  });
  it('property: daily estimate holds N weekdays plus 4 % for holidays; intraday holds the sessions needed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: U(1990, 0, 1), max: U(2040, 0, 1) }),
        fc.integer({ min: 1, max: 1500 }),
        fc.constantFrom<Interval>('1d', '1m', '5m', '15m', '30m', '60m', '90m'),
        (start, bars, interval) => {
          const s = lookbackStart(interval, start, { bars });
          expect(s).toBeLessThan(start);
          if (interval === '1d') {
            expect(weekdays(s, start)).toBeGreaterThanOrEqual(Math.ceil(bars * 1.04));
          } else {
            const perSession = { '1m': 390, '5m': 78, '15m': 26, '30m': 13, '60m': 6.5, '90m': 4.33 }[interval as '1m'];
            // Whole sessions strictly before start's day.
            expect(weekdays(s, Math.floor(start / DAY) * DAY)).toBeGreaterThanOrEqual(Math.ceil(bars / perSession));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
  it('property: monotonic in bars and days', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Interval>('1m', '1h', '1d', '5d', '1wk', '1mo', '3mo'),
        fc.integer({ min: U(2000, 0, 1), max: U(2030, 0, 1) }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        (interval, start, a, b) => {
          expect(lookbackStart(interval, start, { bars: a + b })).toBeLessThanOrEqual(lookbackStart(interval, start, { bars: a }));
          expect(lookbackStart(interval, start, { days: a + b })).toBeLessThanOrEqual(lookbackStart(interval, start, { days: a }));
        },
      ),
    );
  });
});

describe('extendLookback', () => {
  const from = U(2024, 7, 1);
  it('returns the start unchanged when nothing is missing', () => {
    expect(extendLookback('1d', from, 0)).toBe(from);
  });
  it('moves the start back, at least by the span of the missing bars', () => {
    const s = extendLookback('1d', from, 3);
    expect(s).toBeLessThan(from);
    expect(weekdays(s, from)).toBeGreaterThanOrEqual(3);
  });
  it('grows geometrically with the attempt number', () => {
    const spans = [0, 1, 2, 3, 4].map((attempt) => from - extendLookback('1d', from, 5, attempt));
    for (let i = 1; i < spans.length; i++) expect(spans[i]!).toBeGreaterThanOrEqual(1.7 * spans[i - 1]!);
    // Monthly bars too.
    expect(extendLookback('1mo', U(2024, 7, 1), 2, 0)).toBe(U(2024, 2, 1));
    expect(extendLookback('1mo', U(2024, 7, 1), 2, 1)).toBe(U(2023, 10, 1));
  });
  it('rejects a bad attempt', () => {
    expect(isBarcacheError(catchErr(() => extendLookback('1d', from, 1, -1)), 'INVALID_ARGUMENT')).toBe(true);
  });
});
