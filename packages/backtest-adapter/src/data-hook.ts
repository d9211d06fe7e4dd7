import type { Bar, BarCache, ColumnWindow, Interval, PrefetchPlan, PrefetchProgress, PrefetchSession, TimeInput } from '@barcache/cache-core';
import { failedSymbols, prepareFailedError, wrapPrefetchError, type PreparedRange } from './prepare-failure.js';
import { iso, longestLookback, noData, requireInterval, requireRange, requireSymbol, requireSymbols } from './validate.js';

export interface DataHookOptions {
  /** The interval `getBars` uses when the caller names none. Default: '1d'. */
  interval?: Interval;
  /**
   * What `getBars` does when the range holds no bars (a weekend, a holiday, before a listing):
   * `'error'` throws NO_DATA naming the symbol and range; `'empty'` returns []. Default: 'error'.
   */
  onEmpty?: 'error' | 'empty';
}

/** Everything a backtest will read, known before day one. */
export interface DataHookPlan {
  symbols: readonly string[];
  /** First simulated bar (inclusive). */
  start: TimeInput;
  /** Last simulated bar (inclusive). */
  end: TimeInput;
  /** Default: the hook's interval. */
  interval?: Interval;
  /** Lookbacks the strategies read, in bars (positive integers); the longest wins. */
  lookbackBars?: number | readonly number[];
  /** Lookbacks in calendar days (e.g. `now − 30 days`); the longest wins. */
  lookbackDays?: number | readonly number[];
  onProgress?: (event: PrefetchProgress) => void;
  signal?: AbortSignal;
}

export interface DataHook {
  /**
   * Fetches every gap of `[start − longest lookback, end]` for all symbols in one planned pass and
   * holds the series in memory, so every later `getBars` inside the plan is a memory hit.
   * Throws (code of the first failure, e.g. PROVIDER_FAILED) naming each failed symbol and range;
   * bars already cached stay cached. Returns the session (its `report`, and `release()`, the same
   * as the hook's); a new `prepare` releases the previous session.
   */
  prepare(plan: DataHookPlan): Promise<PrefetchSession>;
  /** Bars with start <= time <= end (inclusive, ascending), like `cache.getBars`. */
  getBars(symbol: string, start: TimeInput, end: TimeInput, interval?: Interval): Promise<Bar[]>;
  /**
   * The same bars as `getBars`, as a columnar window (`{ length, time, open, high, low, close,
   * volume, adjClose }` typed arrays): inside the prepared plan, views of the resident series
   * (`cache.peekColumns`: no copy, no row objects, read only, valid while the session is open; see
   * docs/columnar-window.md). A range memory does not hold whole is fetched first, like getBars;
   * never a window of part of the range. `onEmpty` applies as for getBars.
   */
  getColumns(symbol: string, start: TimeInput, end: TimeInput, interval?: Interval): Promise<ColumnWindow>;
  /** Unpins what `prepare` pinned (the series stay cached). */
  release(): void;
  /** The session of the last successful `prepare`, until `release()`. */
  readonly session: PrefetchSession | undefined;
}

/**
 * The prefetch of a prepare step (the data hook's and grademark's prepareSession): prefetches
 * `asked` with `extra` (lookback, progress, signal) and returns the session, its series pinned.
 * Throws, naming each symbol and range, when prefetch itself fails (see wrapPrefetchError) or any
 * symbol failed (see prepareFailedError; the session is released first).
 */
export async function prefetchOrThrow(
  cache: BarCache,
  asked: PreparedRange & { symbols: string[] },
  extra: Pick<PrefetchPlan, 'lookback' | 'onProgress' | 'signal'> = {},
): Promise<PrefetchSession> {
  let session: PrefetchSession;
  try {
    session = await cache.prefetch({ symbols: asked.symbols, interval: asked.interval, start: asked.start, end: asked.end, ...extra });
  } catch (err) {
    throw wrapPrefetchError(err, asked);
  }
  const failed = failedSymbols(session.report, asked);
  if (failed.length > 0) {
    session.release();
    throw prepareFailedError(failed);
  }
  return session;
}

/** The data hook for home-grown engines: `prepare` once, then `getBars` as often as the engine likes. */
export function createDataHook(cache: BarCache, options: DataHookOptions = {}): DataHook {
  const defaultInterval = requireInterval(options.interval ?? '1d');
  const onEmpty = options.onEmpty ?? 'error';
  let session: PrefetchSession | undefined;

  async function prepare(plan: DataHookPlan): Promise<PrefetchSession> {
    if (plan === null || typeof plan !== 'object') throw new TypeError('prepare(plan) needs a plan object');
    const symbols = requireSymbols(plan.symbols);
    const interval = requireInterval(plan.interval ?? defaultInterval);
    const range = requireRange(plan.start, plan.end);
    const bars = longestLookback(plan.lookbackBars, 'lookbackBars');
    const days = longestLookback(plan.lookbackDays, 'lookbackDays');
    const lookback = bars === undefined && days === undefined ? undefined : { ...(bars && { bars }), ...(days && { days }) };
    const prepared = await prefetchOrThrow(
      cache,
      { symbols, interval, ...range },
      {
        ...(lookback && { lookback }),
        ...(plan.onProgress && { onProgress: plan.onProgress }),
        ...(plan.signal && { signal: plan.signal }),
      },
    );
    session?.release();
    session = prepared;
    return prepared;
  }

  async function getBars(symbol: string, start: TimeInput, end: TimeInput, interval?: Interval): Promise<Bar[]> {
    const s = requireSymbol(symbol);
    const iv = requireInterval(interval ?? defaultInterval);
    const range = requireRange(start, end);
    const bars = await cache.getBars({ symbol: s, interval: iv, start: range.start, end: range.end });
    if (bars.length === 0 && onEmpty === 'error') {
      throw noData(`no ${iv} bars for ${s} in ${iso(range.start)}..${iso(range.end)}`, { symbol: s, interval: iv, ...range });
    }
    return bars;
  }

  async function getColumns(symbol: string, start: TimeInput, end: TimeInput, interval?: Interval): Promise<ColumnWindow> {
    const s = requireSymbol(symbol);
    const iv = requireInterval(interval ?? defaultInterval);
    const range = requireRange(start, end);
    const q = { symbol: s, interval: iv, start: range.start, end: range.end };
    // A memory hit is the whole range or nothing (undefined): then getBars fills and loads it. An
    // empty hit goes through getBars too, so it answers (or raises) exactly as getBars does.
    let w = cache.peekColumns(q);
    if (w === undefined || w.length === 0) {
      const bars = await cache.getBars(q);
      // Memory may not keep the series (a budget smaller than it): the bars getBars returned are the answer.
      w = (bars.length > 0 ? cache.peekColumns(q) : undefined) ?? columnsOfBars(bars);
    }
    if (w.length === 0 && onEmpty === 'error') {
      throw noData(`no ${iv} bars for ${s} in ${iso(range.start)}..${iso(range.end)}`, { symbol: s, interval: iv, ...range });
    }
    return w;
  }

  return {
    prepare,
    getBars,
    getColumns,
    release() {
      session?.release();
      session = undefined;
    },
    get session() {
      return session;
    },
  };
}

/** Bars copied into fresh columns (the fallback when memory cannot hold a series as views). */
export function columnsOfBars(bars: readonly Bar[]): ColumnWindow {
  const col = (f: (b: Bar) => number) => Float64Array.from(bars, f);
  const hasAdj = bars.some((b) => b.adjClose !== undefined);
  return {
    length: bars.length,
    time: col((b) => b.time),
    open: col((b) => b.open),
    high: col((b) => b.high),
    low: col((b) => b.low),
    close: col((b) => b.close),
    volume: col((b) => b.volume),
    adjClose: hasAdj ? col((b) => b.adjClose ?? NaN) : undefined,
  };
}
