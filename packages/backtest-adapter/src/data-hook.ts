import type { Bar, BarCache, Interval, PrefetchPlan, PrefetchProgress, PrefetchSession, TimeInput } from '@barcache/cache-core';
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

  return {
    prepare,
    getBars,
    release() {
      session?.release();
      session = undefined;
    },
    get session() {
      return session;
    },
  };
}
