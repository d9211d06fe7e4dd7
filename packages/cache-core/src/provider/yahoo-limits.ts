import type { Interval, ProviderLimits } from '../types.js';

const DAY = 86_400_000;
const INTRADAY_SHORT: Interval[] = ['2m', '5m', '15m', '30m', '90m'];
const DAILY_PLUS: Interval[] = ['1d', '5d', '1wk', '1mo', '3mo'];

/**
 * What Yahoo's chart API serves per request, as users have observed it (Yahoo changes these
 * without notice, hence config): 1m at most 7 days per request and only within the last ~30 days;
 * 2m–90m ~60 days; 60m/1h ~730 days; daily and longer the whole history in one request.
 */
export const YAHOO_LIMITS: ProviderLimits = Object.freeze({
  maxSpanMs: Object.freeze({
    '1m': 7 * DAY,
    ...Object.fromEntries(INTRADAY_SHORT.map((i) => [i, 60 * DAY])),
    '60m': 730 * DAY,
    '1h': 730 * DAY,
    ...Object.fromEntries(DAILY_PLUS.map((i) => [i, Infinity])),
  }) as Partial<Record<Interval, number>>,
  maxAgeMs: Object.freeze({
    '1m': 30 * DAY,
    ...Object.fromEntries(INTRADAY_SHORT.map((i) => [i, 60 * DAY])),
    '60m': 730 * DAY,
    '1h': 730 * DAY,
    ...Object.fromEntries(DAILY_PLUS.map((i) => [i, Infinity])),
  }) as Partial<Record<Interval, number>>,
  /** Yahoo revises the last few minutes of intraday data and the day's bar until well after the close. */
  settleDelayMs: 15 * 60_000,
}) as ProviderLimits;

/** YAHOO_LIMITS (or `base`) with user overrides merged per interval. Pure; returns a new object. */
export function mergeProviderLimits(overrides: Partial<ProviderLimits> = {}, base: ProviderLimits = YAHOO_LIMITS): ProviderLimits {
  return {
    maxSpanMs: { ...base.maxSpanMs, ...overrides.maxSpanMs },
    maxAgeMs: { ...base.maxAgeMs, ...overrides.maxAgeMs },
    settleDelayMs: overrides.settleDelayMs ?? base.settleDelayMs,
  };
}
