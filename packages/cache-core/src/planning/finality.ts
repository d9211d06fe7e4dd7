import { alignDown, barEnd, DAY_MS, HOUR_MS, intervalStepMs, isDailyOrLonger } from '../intervals.js';
import type { Interval } from '../types.js';

/**
 * Finality: which bars can no longer change. A bar opening at `t` is final once
 *
 *     barEnd(t) + tzSlack + settleDelayMs <= now
 *
 * - `barEnd(t)`: for 1mo/3mo the calendar slot end (`nextBarStart`); for every other interval
 *   `t + length`, so intraday bars that do not sit on UTC slot edges (NSE's 60m bars open at
 *   03:45 UTC) still get their true end. A 5d bar (five trading days) is taken as 10 calendar
 *   days long: a week plus room for holidays.
 * - `tzSlack`: daily and longer bars are stamped 00:00 UTC of the exchange-LOCAL date, and a local
 *   day may end up to 12 h after UTC's (UTC−12), so 12 h; intraday bars carry true UTC times, 0.
 * - `settleDelayMs`: the provider's own delay before it stops revising bars (ProviderLimits).
 *
 * All UTC; daylight saving time plays no part.
 */

/** How long after a daily-or-longer bar's UTC date ends the exchange's local date may still run. */
export const DAILY_TZ_SLACK_MS = 12 * HOUR_MS;

/**
 * How far the exchange-local date may run ahead of UTC (UTC+14, Kiribati): a daily bar stamped
 * with tomorrow's UTC date may already exist. Used by the gap planner to clamp to "now".
 */
export const DAILY_TZ_LEAD_MS = 14 * HOUR_MS;

const FIVE_DAY_BAR_MS = 10 * DAY_MS;

function tzSlack(interval: Interval): number {
  return isDailyOrLonger(interval) ? DAILY_TZ_SLACK_MS : 0;
}

function isCalendarInterval(interval: Interval): boolean {
  return interval === '1mo' || interval === '3mo';
}

/** When a bar opening at `barTime` ends, as finality sees it (see the module comment). */
export function barEndOf(interval: Interval, barTime: number): number {
  return interval === '5d' ? barTime + FIVE_DAY_BAR_MS : barEnd(interval, barTime);
}

/**
 * Bars with `time < finalBefore(...)` are final; later ones may still change. Exactly consistent
 * with {@link isFinalBar} for every integer-ms bar time. Not aligned to a bar edge for fixed-length
 * intervals (it is `now − length − slack − settle + 1`); for 1mo/3mo it is a month/quarter start.
 */
export function finalBefore(interval: Interval, now: number, settleDelayMs: number): number {
  const latestEnd = now - tzSlack(interval) - Math.max(0, settleDelayMs);
  if (isCalendarInterval(interval)) {
    // A slot is final iff its end <= latestEnd; slots ending there start before alignDown(latestEnd).
    return alignDown(interval, latestEnd);
  }
  const length = interval === '5d' ? FIVE_DAY_BAR_MS : intervalStepMs(interval);
  // t + length <= latestEnd  ⇔  t < latestEnd − length + 1 (integer ms)
  return latestEnd - length + 1;
}

/** True when the bar opening at `barTime` can no longer change at `now`. */
export function isFinalBar(interval: Interval, barTime: number, now: number, settleDelayMs: number): boolean {
  return barEndOf(interval, barTime) + tzSlack(interval) + Math.max(0, settleDelayMs) <= now;
}
