import { invalidArgument } from '../errors.js';
import { DAY_MS, HOUR_MS, intervalStepMs } from '../intervals.js';
import type { Interval } from '../types.js';

/**
 * Turning "N bars before start" into a calendar start, conservatively (too early costs a few
 * extra bars; too late costs a second fetch). Assumptions, per interval:
 * - daily: N trading days span N × 7/5 calendar days, plus 5 % for holidays (≈ 10 a year on most
 *   exchanges, i.e. 4 % of trading days) and 4 days for a long weekend at either edge;
 * - 5d: a bar is 5 trading days, so 5N trading days as above;
 * - intraday: a 6.5 h session (floor(6.5 h / step) bars a day, at least 1), 5 sessions a week,
 *   then as daily, plus one day for the partial session at `start`;
 * - 1wk: N + 1 weeks (the week containing `start` may be partial);
 * - 1mo / 3mo: N + 1 calendar months / quarters.
 * Extended hours only add bars, so they never make the estimate short. The result is aligned
 * down to 00:00 UTC (to the month start for 1mo/3mo).
 */
export interface Lookback {
  /** Bars needed before `start`. */
  bars?: number;
  /** Calendar days needed before `start`. */
  days?: number;
}

const SESSION_MS = 6.5 * HOUR_MS;

function tradingDaysToCalendarMs(tradingDays: number): number {
  if (tradingDays <= 0) return 0;
  // 7/5 for weekends, × 1.05 for holidays, + 4 days for a long weekend at either edge.
  const calendarDays = Math.ceil(((tradingDays * 7) / 5) * 1.05) + 4;
  return calendarDays * DAY_MS;
}

function barsPerSession(interval: Interval): number {
  return Math.max(1, Math.floor(SESSION_MS / intervalStepMs(interval)));
}

function assertCount(n: number | undefined, field: string): number {
  if (n === undefined) return 0;
  if (!Number.isFinite(n) || n < 0) throw invalidArgument(`lookback.${field} must be a finite number >= 0, got ${n}`, { field, value: n });
  return Math.ceil(n);
}

function monthsBack(t: number, months: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1);
}

function floorDay(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** The calendar start that conservatively holds `bars` bars before `start` (no `days` term). */
function barsStart(interval: Interval, start: number, bars: number): number {
  if (bars <= 0) return start;
  switch (interval) {
    case '1mo':
      return monthsBack(start, bars + 1);
    case '3mo':
      return monthsBack(start, 3 * (bars + 1));
    case '1wk':
      return floorDay(start - (bars + 1) * 7 * DAY_MS);
    case '1d':
      return floorDay(start - tradingDaysToCalendarMs(bars));
    case '5d':
      return floorDay(start - tradingDaysToCalendarMs(5 * bars));
    default: {
      const sessions = Math.ceil(bars / barsPerSession(interval)) + 1;
      return floorDay(start - tradingDaysToCalendarMs(sessions));
    }
  }
}

/**
 * A calendar start early enough to hold `lookback.bars` bars before `start` and at least
 * `lookback.days` calendar days before it: the earlier of the two. Without a lookback, `start`.
 * Check the bars actually loaded and call {@link extendLookback} when holidays or halts ate some.
 */
export function lookbackStart(interval: Interval, start: number, lookback: Lookback = {}): number {
  const bars = assertCount(lookback.bars, 'bars');
  const days = assertCount(lookback.days, 'days');
  if (bars === 0 && days === 0) return start;
  const byDays = days > 0 ? floorDay(start - days * DAY_MS) : start;
  const result = Math.min(barsStart(interval, start, bars), byDays);
  return interval === '1mo' || interval === '3mo' ? monthsBack(result, 0) : floorDay(result);
}

/**
 * How far to move `currentStart` back when the loaded lookback came up `missingBars` short.
 * Grows geometrically with `attempt` (0 for the first extension): the extension is the
 * conservative span of `missingBars × 2^(attempt + 1)` bars, so a handful of attempts reaches
 * any depth. Callers should stop when a fetch brings no older bars (a young listing) or the
 * start passes the provider's `maxAgeMs`.
 */
export function extendLookback(interval: Interval, currentStart: number, missingBars: number, attempt = 0): number {
  const missing = assertCount(missingBars, 'missingBars');
  if (missing === 0) return currentStart;
  if (!Number.isInteger(attempt) || attempt < 0) throw invalidArgument(`attempt must be an integer >= 0, got ${attempt}`, { attempt });
  const factor = 2 ** Math.min(attempt + 1, 20);
  const extended = barsStart(interval, currentStart, missing * factor);
  return Math.min(extended, currentStart - 1);
}
