import { BarcacheError, DAY_MS, ErrorCode, HOUR_MS, intervalStepMs, isBarcacheError } from '@barcache/cache-core';
import type { Bar, Interval, TimeInput } from '@barcache/cache-core';
import { iso, noData, requireLookback } from './validate.js';
import { lowerBound } from './window.js';

/**
 * backtest-kit's exchange hook, typed here so the adapter needs no backtest-kit install
 * (it does not install from the registry these machines reach). Register the function this
 * module builds with `addExchangeSchema({ getCandles, … })`.
 */
export type BacktestKitInterval = '1m' | '3m' | '5m' | '15m' | '30m' | '1h' | '2h' | '4h' | '6h' | '8h' | '1d';

export interface BacktestKitCandle {
  timestamp: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export type BacktestKitGetCandles = (
  symbol: string,
  interval: BacktestKitInterval,
  since: Date,
  limit: number,
  backtest?: boolean,
) => Promise<BacktestKitCandle[]>;

const INTERVAL_MAP: Partial<Record<BacktestKitInterval, { interval: Interval; stepMs: number }>> = {
  '1m': { interval: '1m', stepMs: intervalStepMs('1m') },
  '5m': { interval: '5m', stepMs: intervalStepMs('5m') },
  '15m': { interval: '15m', stepMs: intervalStepMs('15m') },
  '30m': { interval: '30m', stepMs: intervalStepMs('30m') },
  '1h': { interval: '1h', stepMs: HOUR_MS },
  '1d': { interval: '1d', stepMs: DAY_MS },
};

/** The cache interval and step for a backtest-kit interval; UNSUPPORTED_INTERVAL for 3m, 2h, 4h, 6h, 8h. */
export function toBacktestKitInterval(interval: BacktestKitInterval): { interval: Interval; stepMs: number } {
  const hit = INTERVAL_MAP[interval];
  if (hit) return hit;
  throw new BarcacheError(
    ErrorCode.UNSUPPORTED_INTERVAL,
    `backtest-kit interval ${JSON.stringify(interval)} has no Yahoo equivalent; use one of ${Object.keys(INTERVAL_MAP).join(', ')}`,
    { details: { interval, supported: Object.keys(INTERVAL_MAP) } },
  );
}

/**
 * Exactly `limit` candles on backtest-kit's 24/7 grid `since + i·step`. A slot with a bar gets it;
 * with `fill: 'previous'` an empty slot (weekend, holiday, overnight) gets a flat candle at the
 * previous close with volume 0; with `fill: 'none'` empty slots are left out (for 24/7 markets,
 * where there are none). `bars` must be ascending and may start before `since` (the bar a leading
 * gap is filled from). Pure.
 */
export function toBacktestKitCandles(
  bars: readonly Bar[],
  since: number,
  limit: number,
  stepMs: number,
  fill: 'previous' | 'none' = 'previous',
): BacktestKitCandle[] {
  const out: BacktestKitCandle[] = [];
  let i = lowerBound(bars, since);
  let prev: Bar | undefined = i > 0 ? bars[i - 1] : undefined;
  for (let k = 0; k < limit; k++) {
    const slot = since + k * stepMs;
    const next = slot + stepMs;
    let inSlot: Bar | undefined;
    while (i < bars.length && bars[i]!.time < next) inSlot = bars[i++];
    if (inSlot) {
      out.push({ timestamp: slot, open: inSlot.open, high: inSlot.high, low: inSlot.low, close: inSlot.close, volume: inSlot.volume });
      prev = inSlot;
    } else if (fill === 'previous') {
      if (!prev) {
        throw noData(`no bar at or before ${iso(slot)} to fill backtest-kit's 24/7 grid from`, { slot, since, limit });
      }
      const c = prev.close;
      out.push({ timestamp: slot, open: c, high: c, low: c, close: c, volume: 0 });
    }
  }
  return out;
}

/** Anything that serves inclusive ranges of bars: a DataHook, or a thin wrapper over a BarCache. */
export interface BarSource {
  getBars(symbol: string, start: TimeInput, end: TimeInput, interval?: Interval): Promise<Bar[]>;
}

export interface BacktestKitOptions {
  /** See toBacktestKitCandles. Default: 'previous' (stocks on backtest-kit's 24/7 calendar). */
  fill?: 'previous' | 'none';
  /** How far before `since` to look for the bar a leading gap is filled from. Default: 10 days. */
  fillLookbackMs?: number;
}

/**
 * backtest-kit's `getCandles(symbol, interval, since, limit)` served by Barcache. Pair it with a
 * DataHook that was `prepare`d for the backtest and every call is a memory hit.
 */
export function createBacktestKitGetCandles(source: BarSource, options: BacktestKitOptions = {}): BacktestKitGetCandles {
  const fill = options.fill ?? 'previous';
  const pad = fill === 'previous' ? (options.fillLookbackMs ?? 10 * DAY_MS) : 0;
  return async (symbol, kitInterval, since, limit) => {
    const { interval, stepMs } = toBacktestKitInterval(kitInterval);
    requireLookback(limit, 'limit');
    const from = since.getTime();
    let bars: Bar[];
    try {
      bars = await source.getBars(symbol, from - pad, from + limit * stepMs - 1, interval);
    } catch (err) {
      if (!isBarcacheError(err, ErrorCode.NO_DATA)) throw err;
      bars = [];
    }
    return toBacktestKitCandles(bars, from, limit, stepMs, fill);
  };
}
