import type { IDataFrame } from 'data-forge';
import type { BarCache, Interval, TimeInput } from '@barcache/cache-core';
import { invalidArgument } from '../validate.js';
import type { GrademarkBar } from './rows.js';
import { prepareSession } from './session.js';

export interface LoadSeriesOptions {
  symbol: string;
  /** Default: '1d'. */
  interval?: Interval;
  start: TimeInput;
  end: TimeInput;
  /** The strategy's `lookbackPeriod`: this many bars precede the first bar at or after `start`. */
  lookbackPeriod: number;
  /** See SessionOptions.allowShortLookback. Default: false. */
  allowShortLookback?: boolean;
}

/**
 * The input series for grademark's `backtest()`: exactly `lookbackPeriod` bars before the first bar
 * at or after `start`, then every bar through `end`, rows `{ time: Date, open, high, low, close, volume }`.
 * Fetched in one planned pass (one provider call on a cold cache, none on a warm one).
 * For several symbols or cross-symbol rules, use `prepareSession` instead.
 */
export async function loadSeries(cache: BarCache, options: LoadSeriesOptions): Promise<IDataFrame<number, GrademarkBar>> {
  if (options === null || typeof options !== 'object') throw new TypeError('loadSeries(cache, options) needs an options object');
  if (options.symbol === undefined || options.symbol === null) throw invalidArgument('symbol is required', { field: 'symbol' });
  const session = await prepareSession(cache, {
    symbols: [options.symbol],
    start: options.start,
    end: options.end,
    lookbackPeriod: options.lookbackPeriod,
    ...(options.interval && { interval: options.interval }),
    ...(options.allowShortLookback !== undefined && { allowShortLookback: options.allowShortLookback }),
  });
  try {
    return await session.series(options.symbol);
  } finally {
    session.release();
  }
}
