/**
 * Yahoo's chart (as checked by chart-answer.ts) to cache-core's ProviderResult. Pure: no I/O.
 *
 * - Daily and longer bars carry the session open in exchange time (14:30Z for New York in
 *   winter, 23:00Z the day before for Sydney); they are named by 00:00 UTC of the exchange-local
 *   date. Intraday bars keep their epoch ms.
 * - Only bars inside [start, end) are kept; a repeated time keeps the later row (Yahoo sometimes
 *   repeats the live bar).
 * - A row with a null open/high/low/close is dropped and reported (droppedBars, droppedTimes);
 *   a null volume is 0.
 */
import { isDailyOrLonger } from '../intervals.js';
import type { Bar, Dividend, Interval, ProviderResult, Split } from '../types.js';
import type { ChartAnswer } from './chart-answer.js';
import { exchangeDateMs } from './exchange-date.js';

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** Bars, events, dropped rows and the first trade time of `chart` for [start, end). */
export function normaliseChart(chart: ChartAnswer, interval: Interval, start: number, end: number): ProviderResult {
  const tz = chart.meta.exchangeTimezoneName;
  const offset = chart.meta.gmtoffset ?? 0;
  const daily = isDailyOrLonger(interval);
  /** Epoch seconds of a Yahoo timestamp to the cache's bar time. */
  const timeOf = (sec: number): number => (daily ? exchangeDateMs(sec * 1000, tz, offset) : sec * 1000);

  const byTime = new Map<number, Bar>();
  const dropped = new Set<number>();
  const { open, high, low, close, volume } = chart.quote;
  for (let i = 0; i < chart.timestamp.length; i++) {
    const time = timeOf(chart.timestamp[i] as number);
    if (!Number.isFinite(time) || time < start || time >= end) continue;
    const o = open[i];
    const h = high[i];
    const l = low[i];
    const c = close[i];
    if (!isFiniteNumber(o) || !isFiniteNumber(h) || !isFiniteNumber(l) || !isFiniteNumber(c)) {
      // A later complete row for the same time wins (and un-drops it).
      if (!byTime.has(time)) dropped.add(time);
      continue;
    }
    const v = volume[i];
    const bar: Bar = { time, open: o, high: h, low: l, close: c, volume: isFiniteNumber(v) ? v : 0 };
    const adj = chart.adjclose?.[i];
    if (isFiniteNumber(adj)) bar.adjClose = adj;
    byTime.set(time, bar);
    dropped.delete(time);
  }
  const bars = [...byTime.values()].sort((a, b) => a.time - b.time);
  const droppedTimes = [...dropped].sort((a, b) => a - b);
  const out: ProviderResult = { bars, droppedBars: droppedTimes.length };
  if (droppedTimes.length > 0) out.droppedTimes = droppedTimes;
  if (tz) out.exchangeTimezone = tz;
  if (chart.meta.firstTradeDate !== undefined) out.firstTradeTime = timeOf(chart.meta.firstTradeDate);

  const splits: Split[] = [];
  for (const s of chart.splits) {
    const time = timeOf(s.date);
    if (time >= start && time < end) splits.push({ time, numerator: s.numerator, denominator: s.denominator });
  }
  const dividends: Dividend[] = [];
  for (const d of chart.dividends) {
    const time = timeOf(d.date);
    if (time >= start && time < end) dividends.push({ time, amount: d.amount });
  }
  if (splits.length) out.splits = splits.sort((a, b) => a.time - b.time);
  if (dividends.length) out.dividends = dividends.sort((a, b) => a.time - b.time);
  return out;
}
