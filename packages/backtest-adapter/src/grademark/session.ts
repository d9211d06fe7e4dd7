import { DataFrame, type IDataFrame } from 'data-forge';
import type { Bar, BarCache, Interval, PrefetchSession, TimeInput } from '@barcache/cache-core';
import { prefetchOrThrow } from '../data-hook.js';
import { createSessionLookup, type SessionLookup } from '../session-lookup.js';
import { iso, noData, requireInterval, requireLookback, requireRange, requireSymbol, requireSymbols } from '../validate.js';
import { lookbackBounds, sliceWithLookback } from '../window.js';
import { grademarkRowsFromColumns, toGrademarkRows, type GrademarkBar } from './rows.js';

export interface SessionOptions {
  symbols: readonly string[];
  /** Default: '1d'. */
  interval?: Interval;
  /** First bar the strategy trades on (inclusive). */
  start: TimeInput;
  /** Last bar (inclusive). */
  end: TimeInput;
  /** grademark's `strategy.lookbackPeriod`: bars handed over before the first bar at or after `start`. */
  lookbackPeriod: number;
  /**
   * A symbol listed too recently to have `lookbackPeriod` bars before `start` is a NO_DATA error
   * unless this is true (then its series starts with the bars there are). Default: false.
   */
  allowShortLookback?: boolean;
}

/**
 * One prepared backtest: every symbol's `[start − lookbackPeriod bars, end]` fetched in one planned
 * pass and held in memory until `release()` (or disposal: `await using session = await prepareSession(…)`).
 * It is the cache's PrefetchSession with grademark's views added.
 */
export interface GrademarkSession extends PrefetchSession {
  readonly interval: Interval;
  readonly start: number;
  readonly end: number;
  readonly lookbackPeriod: number;
  readonly symbols: readonly string[];
  /**
   * Synchronous cross-symbol reads for rules (see SessionLookup), with the default rule: `at` should
   * be a bar time of this session's interval (grademark's `bar.time`). For an `at` of another
   * interval use `createSessionLookup(cache, session, { completedOnly: true })`.
   */
  readonly lookup: SessionLookup;
  /** The bars of one prepared symbol: exactly `lookbackPeriod` before `start`, then through `end`. */
  bars(symbol: string): Promise<Bar[]>;
  /**
   * The same bars as the DataFrame grademark's `backtest()` takes, built from the cache's columnar
   * window (no cache rows are made for it).
   */
  series(symbol: string): Promise<IDataFrame<number, GrademarkBar>>;
}

/** Prefetches every symbol of a grademark backtest in one planned pass. */
export async function prepareSession(cache: BarCache, options: SessionOptions): Promise<GrademarkSession> {
  if (options === null || typeof options !== 'object') throw new TypeError('prepareSession(cache, options) needs an options object');
  const symbols = requireSymbols(options.symbols);
  const interval = requireInterval(options.interval ?? '1d');
  const range = requireRange(options.start, options.end);
  const lookbackPeriod = requireLookback(options.lookbackPeriod, 'lookbackPeriod');
  const prefetched = await prefetchOrThrow(cache, { symbols, interval, ...range }, { lookback: { bars: lookbackPeriod } });
  const report = prefetched.report;
  const bySymbol = new Map(report.symbols.map((s) => [s.symbol, s]));

  function preparedInfo(symbol: string): { sym: string; from: number } {
    const sym = requireSymbol(symbol);
    const info = bySymbol.get(sym);
    if (!info) {
      throw noData(`${sym} was not prepared in this session (prepared: ${symbols.join(', ')})`, { symbol: sym, prepared: symbols });
    }
    return { sym, from: Math.min(info.start, range.start) };
  }

  /** Throws unless the slice has bars in [start, end] and (unless allowed short) the whole lookback. */
  function checkSlice(sym: string, lookbackBars: number, mainBars: number): void {
    if (mainBars === 0) {
      throw noData(`no ${interval} bars for ${sym} in ${iso(range.start)}..${iso(range.end)}`, { symbol: sym, interval, ...range });
    }
    if (lookbackBars < lookbackPeriod && !options.allowShortLookback) {
      throw noData(
        `${sym} has only ${lookbackBars} ${interval} bars before ${iso(range.start)}, lookbackPeriod asks ${lookbackPeriod} ` +
          '(a young listing?); start later or pass allowShortLookback',
        { symbol: sym, interval, available: lookbackBars, lookbackPeriod },
      );
    }
  }

  async function bars(symbol: string): Promise<Bar[]> {
    const { sym, from } = preparedInfo(symbol);
    const all = await cache.getBars({ symbol: sym, interval, start: from, end: range.end });
    const slice = sliceWithLookback(all, range.start, range.end, lookbackPeriod);
    checkSlice(sym, slice.lookbackBars, slice.mainBars);
    return slice.bars;
  }

  /**
   * grademark's frame, built once from the columnar window of the resident series: one pass over
   * the typed arrays, and the cache never builds (or keeps) its own row objects for the series.
   * peekColumns answers only for a range memory holds whole; otherwise (the session released and
   * the series evicted) the rows come through `bars`, which fetches what is missing.
   */
  async function series(symbol: string): Promise<IDataFrame<number, GrademarkBar>> {
    const { sym, from } = preparedInfo(symbol);
    const w = cache.peekColumns({ symbol: sym, interval, start: from, end: range.end });
    if (w === undefined) return new DataFrame<number, GrademarkBar>(toGrademarkRows(await bars(symbol)));
    const b = lookbackBounds(w.time, range.start, range.end, lookbackPeriod);
    checkSlice(sym, b.first - b.from, b.last - b.first);
    return new DataFrame<number, GrademarkBar>(grademarkRowsFromColumns(w, b.from, b.last));
  }

  return {
    interval,
    ...range,
    lookbackPeriod,
    symbols,
    report,
    lookup: createSessionLookup(cache, prefetched),
    bars,
    series,
    release() {
      prefetched.release();
    },
    async [Symbol.asyncDispose]() {
      prefetched.release();
    },
  };
}
