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
  '120': 'Yahoo has no 2-hour bars',
  '180': 'Yahoo has no 3-hour bars',
  '240':
    "Yahoo has no 4-hour bars; Barcache does not build them from 1h bars, because TradingView anchors 4h bars to the exchange session (09:30/13:30 in New York, shorter on early-close days) and a grouping that gets that wrong changes every indicator value without an error",
};

/** Every Pine timeframe this plugin serves, for messages and docs. */
export const SERVED_TIMEFRAMES: readonly string[] = Object.keys(SERVED);

/** The canonical Pine spelling of `timeframe` ('1D' → 'D', '1h' → '60'), or the input trimmed when it has none. */
export function canonicalTimeframe(timeframe: string): string {
  const t = timeframe.trim();
  return ALIASES[t] ?? (/^[dwm]$/.test(t) ? t.toUpperCase() : t);
}

/**
 * The Barcache interval serving a Pine timeframe. Throws UNSUPPORTED_INTERVAL, naming the timeframe
 * (and `where`, e.g. the script's call) and the ones that are served, for anything Yahoo has no
 * bars of: seconds, 3/45/120/180/240 minutes, multi-day/week bars ('2D', '2W'), '6M', '12M'.
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
    `timeframe "${timeframe}"${at} cannot be served: ${why}. Served timeframes: ${SERVED_TIMEFRAMES.join(', ')} (also 1D, 1W, 1M, 1h).`,
    { details: { timeframe, ...(where && { call: where }), served: SERVED_TIMEFRAMES } },
  );
}
