import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockEndOf, blockStartOf, blockUnit } from '../src/planning/block-layout.js';
import { INTERVALS } from '../src/types.js';
import { daysFromCivil, daysFromMonthIndex, monthIndexOfDay } from '../src/utc-calendar.js';

const DAY = 86_400_000;
/** A Date's range: ±8.64e15 ms, ±10^8 days. */
const MAX_T = 8.64e15;
const MAX_DAY = 1e8;

// The oracle: the UTC calendar as `Date` computes it (the block layout's former implementation).
function utc(year: number, month: number): number {
  if (year >= 100) return Date.UTC(year, month, 1);
  const d = new Date(0);
  d.setUTCFullYear(year, month, 1);
  return d.getTime();
}
function dateBlockStart(unit: string, t: number): number {
  switch (unit) {
    case 'day':
      return Math.floor(t / DAY) * DAY;
    case 'month': {
      const d = new Date(t);
      return utc(d.getUTCFullYear(), d.getUTCMonth());
    }
    case 'year':
      return utc(new Date(t).getUTCFullYear(), 0);
    case 'decade':
      return utc(Math.floor(new Date(t).getUTCFullYear() / 10) * 10, 0);
  }
  throw new Error(unit);
}
function dateBlockEnd(unit: string, t: number): number {
  const start = dateBlockStart(unit, t);
  if (unit === 'day') return start + DAY;
  const d = new Date(start);
  if (unit === 'month') return utc(d.getUTCFullYear(), d.getUTCMonth() + 1);
  return utc(d.getUTCFullYear() + (unit === 'year' ? 1 : 10), 0);
}
// Week blocks come from alignDown, not from the calendar (block-layout.test.ts covers them).
const CALENDAR_INTERVALS = INTERVALS.filter((i) => blockUnit(i) !== 'week');

/** Times spread over a Date's whole range and just past it, with the edges of days, months and years. */
const timeArb = fc.oneof(
  fc.integer({ min: -MAX_T - 400 * DAY, max: MAX_T + 400 * DAY }),
  fc.integer({ min: Date.UTC(1890, 0, 1), max: Date.UTC(2210, 0, 1) }),
  fc.integer({ min: -200_000, max: 200_000 }).map((d) => d * DAY),
  fc.integer({ min: -200_000, max: 200_000 }).map((d) => d * DAY - 1),
  fc.integer({ min: -1000, max: 1000 }).map((k) => MAX_T + k * DAY),
  fc.integer({ min: -1000, max: 1000 }).map((k) => -MAX_T + k * DAY),
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -1, MAX_T, -MAX_T, MAX_T + 1, -MAX_T - 1),
);

describe('utc-calendar: the same answers as Date', () => {
  it('monthIndexOfDay: year × 12 + month of every day in a Date’s range', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -MAX_DAY, max: MAX_DAY }), fc.integer({ min: -800_000, max: 800_000 })), (day) => {
        const d = new Date(day * DAY);
        expect(monthIndexOfDay(day)).toBe(d.getUTCFullYear() * 12 + d.getUTCMonth());
      }),
      { numRuns: 20_000 },
    );
  });

  it('daysFromCivil and daysFromMonthIndex: the day number of a date, as Date.UTC gives it', () => {
    fc.assert(
      fc.property(fc.integer({ min: -271_000, max: 275_000 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), (y, m, d) => {
        const expected = utc(y, m - 1) / DAY + d - 1;
        expect(daysFromCivil(y, m, d)).toBe(expected);
        if (d === 1) expect(daysFromMonthIndex(y * 12 + m - 1)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it('every month of 1600–2400 round-trips', () => {
    for (let mi = 1600 * 12; mi < 2400 * 12; mi++) {
      const day = daysFromMonthIndex(mi);
      expect(monthIndexOfDay(day)).toBe(mi);
      expect(monthIndexOfDay(day - 1)).toBe(mi - 1);
    }
  });
});

describe('block boundaries without Date', () => {
  it('blockStartOf and blockEndOf give what Date gives, NaN included, for every calendar interval', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CALENDAR_INTERVALS), timeArb, (interval, t) => {
        const unit = blockUnit(interval);
        expect(blockStartOf(interval, t)).toBe(dateBlockStart(unit, t));
        expect(blockEndOf(interval, t)).toBe(dateBlockEnd(unit, t));
      }),
      { numRuns: 50_000 },
    );
  });
});
