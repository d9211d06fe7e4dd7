import type { Bar, Interval } from '@barcache/cache-core';
import { DAY_MS, intervalStepMs, nextBarStart } from '@barcache/cache-core';

/**
 * PineTS's candle (its `Kline`): times in epoch ms. PineTS reads `openTime`, OHLCV and `closeTime`;
 * the Binance-style fields are 0.
 */
export interface PineKline {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  closeTime: number;
  quoteAssetVolume: number;
  numberOfTrades: number;
  takerBuyBaseAssetVolume: number;
  takerBuyQuoteAssetVolume: number;
  ignore: number;
}

export interface KlineOptions {
  /** The exchange's IANA time zone; PineTS computes `dayofmonth`, `hour`… in `syminfo.timezone`. */
  timezone: string;
  /**
   * Whether the market trades at weekends (crypto). When false (exchanges), a weekly or monthly bar
   * closes at the end of its last weekday, so a daily chart sees the week's bar complete on Friday,
   * as TradingView does; when true, it closes when the next one opens. Default false.
   */
  weekendTrading?: boolean;
}

/** The UTC instant of 00:00 local time in `timeZone` on the calendar date of `dateMs` (a 00:00 UTC date). Pure. */
export function zonedMidnight(dateMs: number, timeZone: string): number {
  if (timeZone === 'UTC') return dateMs;
  // The zone's offset at that instant, found by formatting it there; refined once across DST changes.
  let t = dateMs - offsetAt(dateMs, timeZone);
  t = dateMs - offsetAt(t, timeZone);
  return t;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** How far `timeZone` is ahead of UTC at instant `t`, ms. */
function offsetAt(t: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The 00:00 UTC date after the last weekday (Mon–Fri) on or before `lastDay`. */
function afterLastWeekday(lastDay: number): number {
  let d = lastDay;
  while (new Date(d).getUTCDay() === 0 || new Date(d).getUTCDay() === 6) d -= DAY_MS;
  return d + DAY_MS;
}

/**
 * When the bar of `interval` starting at `time` (a cache bar time) opens and closes, as PineTS
 * expects (its `openTime` / `closeTime`, which `request.security` uses to align series). Pure.
 *
 * - Intraday bars: the bar's own instant, closing one interval later.
 * - Daily and longer bars are dated 00:00 UTC of the exchange-local date in the cache; for PineTS
 *   they open at 00:00 exchange time on that date (so `dayofmonth` in `syminfo.timezone` is the
 *   trading date) and close at 00:00 exchange time after the period: the next day for a daily
 *   bar; for weekly / monthly / quarterly bars, after the period's last weekday (or when the next
 *   period starts, with `weekendTrading`).
 */
export function barSpan(interval: Interval, time: number, options: KlineOptions): { openTime: number; closeTime: number } {
  const tz = options.timezone;
  switch (interval) {
    case '1d':
      return { openTime: zonedMidnight(time, tz), closeTime: zonedMidnight(time + DAY_MS, tz) };
    case '1wk': {
      const next = time + 7 * DAY_MS;
      return { openTime: zonedMidnight(time, tz), closeTime: zonedMidnight(options.weekendTrading ? next : afterLastWeekday(next - DAY_MS), tz) };
    }
    case '1mo':
    case '3mo': {
      const next = nextBarStart(interval, time);
      return { openTime: zonedMidnight(time, tz), closeTime: zonedMidnight(options.weekendTrading ? next : afterLastWeekday(next - DAY_MS), tz) };
    }
    default:
      return { openTime: time, closeTime: time + intervalStepMs(interval) };
  }
}

/** One bar as a PineTS candle opening and closing at the given times. Pure. */
export function pineKline(b: Bar, openTime: number, closeTime: number): PineKline {
  return {
    openTime,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
    closeTime,
    quoteAssetVolume: 0,
    numberOfTrades: 0,
    takerBuyBaseAssetVolume: 0,
    takerBuyQuoteAssetVolume: 0,
    ignore: 0,
  };
}

/** Cache bars as PineTS candles (see barSpan for the times). Pure. */
export function toPineKlines(bars: readonly Bar[], interval: Interval, options: KlineOptions): PineKline[] {
  return bars.map((b) => {
    const span = barSpan(interval, b.time, options);
    return pineKline(b, span.openTime, span.closeTime);
  });
}
