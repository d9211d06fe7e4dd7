/**
 * Test helper: bars read straight from the loopback server's chart JSON with plain fetch, no
 * yahoo-finance2 and no cache, so a backtest on them is an independent reference.
 */
import type { Bar } from '@barcache/cache-core';
import { DAY_MS as D } from '@barcache/cache-core';


interface ChartJson {
  chart: {
    result: [{ timestamp?: number[]; indicators: { quote: [{ open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] }] } }];
  };
}

/** Every daily bar of `symbol` with from <= date <= to, times normalised to 00:00 UTC of the trading date. */
export async function fetchBarsDirect(baseUrl: string, symbol: string, from: number, to: number): Promise<Bar[]> {
  const url = `${baseUrl}/v8/finance/chart/${symbol}?period1=${Math.floor(from / 1000)}&period2=${Math.floor((to + D) / 1000)}&interval=1d`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`direct load ${symbol}: HTTP ${res.status}`);
  const json = (await res.json()) as ChartJson;
  const r = json.chart.result[0];
  const q = r.indicators.quote[0];
  return (r.timestamp ?? []).map((ts, i) => ({
    // New York's session opens 13:30Z or 14:30Z: the UTC date is the trading date.
    time: Math.floor((ts * 1000) / D) * D,
    open: q.open[i]!,
    high: q.high[i]!,
    low: q.low[i]!,
    close: q.close[i]!,
    volume: q.volume[i]!,
  }));
}

/** The lookback bars before `start` and every bar through `end`, by plain filtering. */
export function withLookback(bars: Bar[], start: number, end: number, lookback: number): Bar[] {
  const before = bars.filter((b) => b.time < start).slice(-lookback);
  if (before.length < lookback) throw new Error(`direct load: only ${before.length} bars before start`);
  return [...before, ...bars.filter((b) => b.time >= start && b.time <= end)];
}
