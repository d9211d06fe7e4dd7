import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barEndOf, DAILY_TZ_SLACK_MS, finalBefore, isFinalBar } from '../src/planning/finality.js';
import { alignDown, DAY_MS, HOUR_MS, MINUTE_MS } from '../src/intervals.js';
import { INTERVALS, type Interval } from '../src/types.js';

const MIN = MINUTE_MS;
const HOUR = HOUR_MS;
const DAY = DAY_MS;
const U = Date.UTC;

describe('intraday finality', () => {
  const now = U(2024, 9, 1, 14, 30, 15);
  it('the forming bar is not final; the one before is once closed', () => {
    expect(isFinalBar('1m', U(2024, 9, 1, 14, 30), now, 0)).toBe(false);
    expect(isFinalBar('1m', U(2024, 9, 1, 14, 29), now, 0)).toBe(true);
    expect(isFinalBar('5m', U(2024, 9, 1, 14, 25), now, 0)).toBe(true);
    expect(isFinalBar('5m', U(2024, 9, 1, 14, 30), now, 0)).toBe(false);
  });
  it('the settle delay holds closed bars back', () => {
    expect(isFinalBar('1m', U(2024, 9, 1, 14, 29), now, 60_000)).toBe(false);
    expect(isFinalBar('1m', U(2024, 9, 1, 14, 28), now, 60_000)).toBe(true);
  });
  it('exact boundary: a bar is final at the instant end + settle == now', () => {
    const t = U(2024, 9, 1, 14, 0);
    expect(isFinalBar('60m', t, t + HOUR + 5000, 5000)).toBe(true);
    expect(isFinalBar('60m', t, t + HOUR + 4999, 5000)).toBe(false);
    expect(finalBefore('60m', t + HOUR + 5000, 5000)).toBe(t + 1);
  });
  it('bars off the UTC slot grid (NSE 60m bars at 03:45 UTC) use their true end', () => {
    const bar = U(2024, 9, 1, 3, 45);
    expect(isFinalBar('60m', bar, U(2024, 9, 1, 4, 44), 0)).toBe(false);
    expect(isFinalBar('60m', bar, U(2024, 9, 1, 4, 45), 0)).toBe(true);
    expect(bar < finalBefore('60m', U(2024, 9, 1, 4, 44), 0)).toBe(false);
  });
});

describe('daily and longer finality (local dates, 12 h slack)', () => {
  const mon = U(2024, 8, 30);
  it('a daily bar is final 12 h after its UTC date ends (plus settle)', () => {
    expect(isFinalBar('1d', mon, mon + DAY + DAILY_TZ_SLACK_MS - 1, 0)).toBe(false);
    expect(isFinalBar('1d', mon, mon + DAY + DAILY_TZ_SLACK_MS, 0)).toBe(true);
    expect(isFinalBar('1d', mon, mon + DAY + DAILY_TZ_SLACK_MS, 1)).toBe(false);
    // 1 Oct 14:00 UTC: Monday's bar final, Tuesday's not.
    const fb = finalBefore('1d', U(2024, 9, 1, 14), 0);
    expect(mon < fb).toBe(true);
    expect(U(2024, 9, 1) < fb).toBe(false);
  });
  it('weekly bars are 7 days; 5d bars are taken as 10 calendar days', () => {
    const week = U(2024, 8, 30);
    expect(isFinalBar('1wk', week, week + 7 * DAY + 12 * HOUR, 0)).toBe(true);
    expect(isFinalBar('1wk', week, week + 7 * DAY + 12 * HOUR - 1, 0)).toBe(false);
    expect(barEndOf('5d', week)).toBe(week + 10 * DAY);
  });
  it('monthly and quarterly bars end at the calendar slot end (leap February)', () => {
    const feb = U(2024, 1, 1);
    expect(barEndOf('1mo', feb)).toBe(U(2024, 2, 1));
    expect(isFinalBar('1mo', feb, U(2024, 2, 1, 12), 0)).toBe(true);
    expect(isFinalBar('1mo', feb, U(2024, 2, 1, 11, 59), 0)).toBe(false);
    expect(finalBefore('1mo', U(2024, 2, 1, 12), 0)).toBe(U(2024, 2, 1));
    expect(finalBefore('3mo', U(2024, 9, 1, 12), 0)).toBe(U(2024, 9, 1));
    expect(finalBefore('3mo', U(2024, 9, 1, 11), 0)).toBe(U(2024, 6, 1));
    expect(barEndOf('3mo', U(2024, 10, 1))).toBe(U(2025, 0, 1));
  });
});

describe('properties', () => {
  it('isFinalBar(t) ⇔ t < finalBefore, for every interval, aligned or not', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Interval>(...INTERVALS),
        fc.integer({ min: U(2000, 0, 1), max: U(2040, 0, 1) }),
        fc.integer({ min: -200 * DAY, max: 10 * DAY }),
        fc.integer({ min: 0, max: 2 * DAY }),
        fc.boolean(),
        (interval, now, offset, settle, aligned) => {
          const raw = now + offset;
          const t = aligned ? alignDown(interval, raw) : raw;
          expect(isFinalBar(interval, t, now, settle)).toBe(t < finalBefore(interval, now, settle));
        },
      ),
      { numRuns: 3000 },
    );
  });
  it('finalBefore is monotonic in now and never after now', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Interval>(...INTERVALS),
        fc.integer({ min: U(2000, 0, 1), max: U(2040, 0, 1) }),
        fc.integer({ min: 0, max: 100 * DAY }),
        fc.integer({ min: 0, max: DAY }),
        (interval, now, dt, settle) => {
          const a = finalBefore(interval, now, settle);
          expect(a).toBeLessThanOrEqual(finalBefore(interval, now + dt, settle));
          expect(a).toBeLessThanOrEqual(now);
          expect(finalBefore(interval, now, settle + dt)).toBeLessThanOrEqual(a);
        },
      ),
    );
  });
});
