import { BarcacheError, ErrorCode, type Interval } from '@barcache/cache-core';

/**
 * Pine timeframes → Barcache (Yahoo) intervals. Pure.
 *
 * Pine writes minutes as plain numbers ('1', '5', '60', '240'), and days, weeks and months as
 * 'D' / 'W' / 'M' with an optional multiplier ('1D', '3M'). PineTS also accepts the lowercase
 * forms '1m', '1h', '1d', '1w' (and '1M' for a month), so these are accepted too.
 */
const SERVED: Readonly<Record<string, Interval>> = {
  '1': '1m',
  '2': '2m',
  '5': '5m',
  '15': '15m',
  '30': '30m',
  '60': '1h',
  '90': '90m',
  // Built from 1h bars, anchored to the session (see hourly-aggregation.ts).
  '120': '1h',
  '180': '1h',
  '240': '1h',
  D: '1d',
  W: '1wk',
  M: '1mo',
  '3M': '3mo',
};

/** The canonical Pine form of the aliases PineTS accepts ('1h' → '60', '1D' → 'D', '1w' → 'W', '1M' → 'M'). */
const ALIASES: Readonly<Record<string, string>> = {
  '1m': '1',
  '2m': '2',
  '5m': '5',
  '15m': '15',
  '30m': '30',
  '1h': '60',
  '1H': '60',
  '2h': '120',
  '2H': '120',
  '3h': '180',
  '3H': '180',
  '4h': '240',
  '4H': '240',
  '1d': 'D',
  '1D': 'D',
  d: 'D',
  '1w': 'W',
  '1W': 'W',
  w: 'W',
  '1M': 'M',
};

/** Pine timeframes Yahoo has no bars for, with the reason given in the error. */
const WHY_NOT: Readonly<Record<string, string>> = {
  '3': 'Yahoo has no 3-minute bars',
  '45': 'Yahoo has no 45-minute bars',
};

/** Pine timeframes served by grouping this many 1h bars per session-anchored slot. */
const HOURS_PER_BAR: Readonly<Record<string, number>> = { '120': 2, '180': 3, '240': 4 };

/** How many 1h bars make one bar of `timeframe` (2, 3, 4 for 120/180/240), or 1 when it is served as is. */
export function hoursPerBar(timeframe: string): number {
  return HOURS_PER_BAR[canonicalTimeframe(timeframe)] ?? 1;
}

/** Every Pine timeframe this plugin serves, for messages and docs. */
export const SERVED_TIMEFRAMES: readonly string[] = Object.keys(SERVED);

/** The canonical Pine spelling of `timeframe` ('1D' → 'D', '1h' → '60'), or the input trimmed when it has none. */
export function canonicalTimeframe(timeframe: string): string {
  const t = timeframe.trim();
  return ALIASES[t] ?? (/^[dwm]$/.test(t) ? t.toUpperCase() : t);
}

/**
 * The Barcache interval serving a Pine timeframe (1h for 120/180/240, which are built from it: see
 * hoursPerBar). Throws UNSUPPORTED_INTERVAL, naming the timeframe (and `where`, e.g. the script's
 * call) and the ones that are served, for anything else Yahoo has no bars of: seconds, 3 and 45
 * minutes, multi-day/week bars ('2D', '2W'), '6M', '12M'.
 */
export function pineTimeframeToInterval(timeframe: unknown, where?: string): Interval {
  const at = where ? ` in ${where}` : '';
  if (typeof timeframe !== 'string' || timeframe.trim() === '') {
    throw new BarcacheError(ErrorCode.UNSUPPORTED_INTERVAL, `timeframe ${JSON.stringify(timeframe)}${at} is not a Pine timeframe`, {
      details: { timeframe, ...(where && { call: where }), served: SERVED_TIMEFRAMES },
    });
  }
  const canonical = canonicalTimeframe(timeframe);
  const interval = SERVED[canonical];
  if (interval) return interval;
  const why = WHY_NOT[canonical] ?? 'Yahoo has no bars of that length';
  throw new BarcacheError(
    ErrorCode.UNSUPPORTED_INTERVAL,
    `timeframe "${timeframe}"${at} cannot be served: ${why}. Served timeframes: ${SERVED_TIMEFRAMES.join(', ')} (also 1D, 1W, 1M, 1h, 4h).`,
    { details: { timeframe, ...(where && { call: where }), served: SERVED_TIMEFRAMES } },
  );
}
