import { BarcacheError, ErrorCode } from './errors.js';
import { INTERVALS, type Interval } from './types.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const FIXED_STEP_MS: Record<Interval, number> = {
  '1m': MINUTE_MS,
  '2m': 2 * MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '60m': HOUR_MS,
  '90m': 90 * MINUTE_MS,
  '1h': HOUR_MS,
  '1d': DAY_MS,
  '5d': 5 * DAY_MS,
  '1wk': 7 * DAY_MS,
  // Calendar intervals: the nominal (longest) length; use alignDown/nextBarStart for exact edges.
  '1mo': 31 * DAY_MS,
  '3mo': 92 * DAY_MS,
};

const INTERVAL_SET: ReadonlySet<string> = new Set(INTERVALS);

export function isInterval(value: unknown): value is Interval {
  return typeof value === 'string' && INTERVAL_SET.has(value);
}

/** Throws UNSUPPORTED_INTERVAL (with the supported list) unless `value` is an Interval. */
export function assertInterval(value: unknown): Interval {
  if (isInterval(value)) return value;
  throw new BarcacheError(
    ErrorCode.UNSUPPORTED_INTERVAL,
    `Unsupported interval ${JSON.stringify(value)}; use one of ${INTERVALS.join(', ')}`,
    { details: { interval: value, supported: [...INTERVALS] } },
  );
}

/** True for bars whose time names a trading date (00:00 UTC of the exchange-local date). */
export function isDailyOrLonger(interval: Interval): boolean {
  return interval === '1d' || interval === '5d' || interval === '1wk' || interval === '1mo' || interval === '3mo';
}

/** The bar length in ms; for 1mo/3mo the longest possible length. */
export function intervalStepMs(interval: Interval): number {
  return FIXED_STEP_MS[interval];
}

/** The start of the bar slot containing `t` (calendar-aware for weeks, months and quarters). */
export function alignDown(interval: Interval, t: number): number {
  switch (interval) {
    case '1wk': {
      // Weekly bars open on Monday (1970-01-01 was a Thursday: shift by 3 days).
      const shift = 3 * DAY_MS;
      return Math.floor((t + shift) / FIXED_STEP_MS['1wk']) * FIXED_STEP_MS['1wk'] - shift;
    }
    case '1mo':
    case '3mo': {
      const d = new Date(t);
      const months = interval === '1mo' ? 1 : 3;
      const month = Math.floor(d.getUTCMonth() / months) * months;
      return Date.UTC(d.getUTCFullYear(), month, 1);
    }
    case '5d':
      return Math.floor(t / DAY_MS) * DAY_MS;
    default: {
      const step = FIXED_STEP_MS[interval];
      return Math.floor(t / step) * step;
    }
  }
}

/**
 * When the bar opening at `barTime` is complete: the next calendar slot for 1mo/3mo, else
 * `barTime` + the interval's length (a daily bar ends at 00:00 UTC of the next date).
 */
export function barEnd(interval: Interval, barTime: number): number {
  return interval === '1mo' || interval === '3mo' ? nextBarStart(interval, barTime) : barTime + FIXED_STEP_MS[interval];
}

/** The start of the bar slot after the one containing `t`. */
export function nextBarStart(interval: Interval, t: number): number {
  const start = alignDown(interval, t);
  switch (interval) {
    case '1mo':
    case '3mo': {
      const d = new Date(start);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + (interval === '1mo' ? 1 : 3), 1);
    }
    case '5d':
      return start + DAY_MS;
    default:
      return start + FIXED_STEP_MS[interval];
  }
}
