import { DAY_MS, HOUR_MS, type Bar } from '@barcache/cache-core';
import { zonedMidnight } from './klines.js';

/** One aggregated bar and when it closes (epoch ms). */
export interface AggregatedBar {
  bar: Bar;
  closeTime: number;
}

/** The exchange-local date (00:00 UTC of it) holding instant `t`. */
function localDate(t: number, timeZone: string): number {
  // zonedMidnight of the UTC date, stepped back a day when `t` falls before it (zones west of UTC)
  // or forward when the next local midnight has passed (zones east of UTC).
  let d = Math.floor(t / DAY_MS) * DAY_MS;
  if (t < zonedMidnight(d, timeZone)) d -= DAY_MS;
  else if (t >= zonedMidnight(d + DAY_MS, timeZone)) d += DAY_MS;
  return d;
}

/**
 * The session's anchor: the time of day (ms after local midnight) the series' trading days most
 * often start at (09:30 for New York's regular session). The modal value, so a day whose first bar
 * is missing (a halt, a bar dropped for null prices) is still anchored where the session opens.
 */
export function sessionAnchor(hourly: readonly Bar[], timeZone: string): number {
  const firsts = new Map<number, number>();
  for (const b of hourly) {
    const day = localDate(b.time, timeZone);
    if (!firsts.has(day)) firsts.set(day, b.time - zonedMidnight(day, timeZone));
  }
  const counts = new Map<number, number>();
  for (const offset of firsts.values()) counts.set(offset, (counts.get(offset) ?? 0) + 1);
  let best = 0;
  let most = -1;
  for (const [offset, n] of counts) if (n > most || (n === most && offset < best)) [best, most] = [offset, n];
  return best;
}

/**
 * 1h bars as bars of `hours` hours, anchored to the session open each exchange-local day, as
 * TradingView builds a stock's 2h/3h/4h bars: in New York a 4h day is 09:30–13:30 and 13:30–16:00 (one
 * bar on an early-close day). A bar opens at its slot's start and closes at the earlier of the slot's
 * end and the end of its last 1h bar; OHLC from its first/max/min/last 1h bars, volume summed. Pure.
 */
export function aggregateHourly(hourly: readonly Bar[], hours: number, timeZone: string): AggregatedBar[] {
  if (hourly.length === 0) return [];
  const anchor = sessionAnchor(hourly, timeZone);
  const span = hours * HOUR_MS;
  const out: AggregatedBar[] = [];
  let slot = Number.NaN;
  for (const b of hourly) {
    const dayStart = zonedMidnight(localDate(b.time, timeZone), timeZone) + anchor;
    const start = dayStart + Math.floor((b.time - dayStart) / span) * span;
    const last = out.at(-1);
    if (last && start === slot) {
      last.bar.high = Math.max(last.bar.high, b.high);
      last.bar.low = Math.min(last.bar.low, b.low);
      last.bar.close = b.close;
      last.bar.volume += b.volume;
      last.closeTime = Math.min(start + span, b.time + HOUR_MS);
    } else {
      slot = start;
      out.push({ bar: { time: start, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }, closeTime: Math.min(start + span, b.time + HOUR_MS) });
    }
  }
  return out;
}
