import { barEnd as barEndOf, DAY_MS, intervalStepMs, parseTimeInput } from '@barcache/cache-core';
import type { Bar, BarCache, ColumnWindow, Interval, PrefetchSession, PrefetchSymbolReport, TimeInput } from '@barcache/cache-core';
import { invalidArgument, iso, noData, requireLookback, requireSymbol } from './validate.js';

export interface SessionLookupOptions {
  /**
   * Which bars count as known at `at`.
   *
   * - `false` (default): every bar whose **start** is `<= at`. Right when `at` is a bar time of the
   *   session's own interval (grademark's `bar.time` on a daily backtest reading daily SPY): the bar
   *   stamped `at` is the bar being evaluated, on its close, as in grademark itself.
   * - `true`: only bars that have **ended** by `at`: `time + interval step <= at` (a daily bar ends at
   *   00:00 UTC of the next calendar day, so its final close is never seen during its own day; a
   *   `1mo`/`3mo` bar ends on the first day of the next month/quarter). Use it when `at` comes from
   *   another interval, e.g. an hourly strategy reading a daily series: at `2024-03-08T15:00Z` it
   *   returns the 2024-03-07 daily bar, not 2024-03-08's (whose close is not known until the close).
   */
  completedOnly?: boolean;
}

/**
 * Synchronous reads of any prepared symbol, for rules that look at another series (a market
 * filter on SPY while trading AAPL). Each read is a memory read, never I/O (`cache.peekBars` for
 * rows, `cache.peekColumns` for `closes` and `columns`), counted as L1 hits in the cache's stats,
 * and point-in-time: nothing that starts after `at` is returned.
 *
 * **`at` should be a bar time of the session's interval** (for a daily session, a trading date at
 * 00:00 UTC, e.g. grademark's `bar.time`). A daily bar is stamped 00:00 UTC of its date but only
 * complete at the close: with the default rule an intraday `at` (15:00Z) would return that day's
 * bar with its final close, which is look-ahead. For an `at` of another interval, create the
 * lookup with `{ completedOnly: true }`.
 */
export interface SessionLookup {
  /** The symbols this lookup serves. */
  readonly symbols: readonly string[];
  /** Reads (barAt, window, closes, columns) answered, all from memory. Without a cache these reads would go to the bars an engine loaded up front. */
  readonly reads: number;
  /** Whether only bars that have ended by `at` are returned (see SessionLookupOptions). */
  readonly completedOnly: boolean;
  /**
   * The last bar of `symbol` known at `at` (start <= at; with completedOnly, ended by `at`), or
   * undefined when the session holds none that early. `at`: a bar time of the session's interval.
   */
  barAt(symbol: string, at: TimeInput): Bar | undefined;
  /**
   * The last `n` bars of `symbol` known at `at` (as barAt), ascending. Throws NO_DATA when fewer
   * than `n` exist in the session. `at`: a bar time of the session's interval.
   */
  window(symbol: string, at: TimeInput, n: number): Bar[];
  /** Closes of `window(symbol, at, n)` (read from the columnar window: no rows are built). */
  closes(symbol: string, at: TimeInput, n: number): number[];
  /**
   * The same bars as `window(symbol, at, n)` as a columnar window (`cache.peekColumns`): typed-array
   * views of the resident series, exactly `n` long, no copy and no row objects. Throws NO_DATA when
   * fewer than `n` exist in the session. Read only, and valid while the session is open (see
   * docs/columnar-window.md); copy what you keep longer.
   */
  columns(symbol: string, at: TimeInput, n: number): ColumnWindow;
}

/**
 * Builds the lookup over a prepared session. Reads throw INVALID_ARGUMENT for a symbol that was
 * not prepared, for a time outside the prepared range, or when the series is no longer resident
 * (the session was released and memory reclaimed); NO_DATA, naming the symbol and range, when the
 * session holds no bars of the symbol at all.
 */
export function createSessionLookup(
  cache: BarCache,
  session: Pick<PrefetchSession, 'report'>,
  options: SessionLookupOptions = {},
): SessionLookup {
  const report = session.report;
  const interval: Interval = report.interval;
  const step = intervalStepMs(interval);
  const daily = step >= DAY_MS;
  const completedOnly = options.completedOnly === true;
  /** When the bar starting at `time` is complete. */
  const barEnd = (time: number) => barEndOf(interval, time);
  const prepared = new Map<string, PrefetchSymbolReport>();
  for (const s of report.symbols) if (!report.failed.includes(s.symbol) && s.error === undefined) prepared.set(s.symbol, s);
  let reads = 0;

  /** Checks `symbol` and `at` against the session: the prepared symbol, its report, and `at` in ms. */
  function locate(symbol: string, at: TimeInput): { sym: string; info: PrefetchSymbolReport; t: number } {
    const sym = requireSymbol(symbol);
    const info = prepared.get(sym);
    if (!info) {
      throw invalidArgument(
        `${sym} was not prepared in this session (prepared: ${[...prepared.keys()].join(', ') || 'none'}); add it to the plan's symbols`,
        { field: 'symbol', symbol: sym, prepared: [...prepared.keys()] },
      );
    }
    if (info.bars === 0) {
      throw noData(`${sym}: the session holds no ${interval} bars in ${iso(info.start)}..${iso(info.end)} (nothing to read)`, {
        symbol: sym,
        interval,
        start: info.start,
        end: info.end,
      });
    }
    const t = parseTimeInput(at, 'at');
    // With completedOnly, `at` may reach the end of the last prepared bar (that bar is then complete).
    const latest = completedOnly ? barEnd(info.end) : info.end + (daily ? DAY_MS - 1 : 0);
    if (t < info.start || t > latest) {
      throw invalidArgument(`${sym}: ${iso(t)} is outside the prepared range ${iso(info.start)}..${iso(info.end)}`, {
        field: 'at',
        symbol: sym,
        at: t,
        start: info.start,
        end: info.end,
      });
    }
    return { sym, info, t };
  }

  /**
   * The last `n` bars of a prepared symbol known at `at` (fewer when the session holds fewer), as
   * [lo, hi) of a window `peek` returned: rows (peekBars) or columns (peekColumns).
   */
  function lastOf<W>(
    symbol: string,
    at: TimeInput,
    n: number,
    peek: (sym: string, start: number, end: number) => W | undefined,
    timeAt: (w: W, i: number) => number,
    lengthOf: (w: W) => number,
  ): { w: W; lo: number; hi: number; t: number; symbol: string } {
    const { sym, info, t } = locate(symbol, at);
    const end = Math.min(t, info.end);
    // completedOnly drops at most one bar (the one in progress at `at`): ask for one more.
    const want = completedOnly ? n + 1 : n;
    // A calendar span that holds `want` bars in the usual case; doubled while short (holidays, halts).
    let span = daily ? Math.ceil(want * 1.5) * step + 5 * DAY_MS : want * step * 4 + 3 * DAY_MS;
    for (;;) {
      const from = Math.max(info.start, end - span);
      const w = peek(sym, from, end);
      if (w === undefined) {
        throw invalidArgument(`${sym} ${interval} is not resident in memory: was the session released before the backtest ran?`, {
          symbol: sym,
          interval,
        });
      }
      const length = lengthOf(w);
      if (length >= want || from === info.start) {
        reads++;
        let hi = length;
        if (completedOnly) while (hi > 0 && barEnd(timeAt(w, hi - 1)) > t) hi--;
        return { w, lo: Math.max(0, hi - n), hi, t, symbol: sym };
      }
      span *= 2;
    }
  }

  const peekRows = (sym: string, start: number, end: number) => cache.peekBars({ symbol: sym, interval, start, end });
  const peekCols = (sym: string, start: number, end: number) => cache.peekColumns({ symbol: sym, interval, start, end });
  const rowTime = (w: Bar[], i: number) => w[i]!.time;
  const rowCount = (w: Bar[]) => w.length;
  const colTime = (w: ColumnWindow, i: number) => w.time[i]!;
  const colCount = (w: ColumnWindow) => w.length;

  /** The last `n` bars of a prepared symbol known at `at` (fewer when the session holds fewer). */
  function lastBars(symbol: string, at: TimeInput, n: number): { bars: Bar[]; t: number; symbol: string } {
    const { w, lo, hi, t, symbol: sym } = lastOf(symbol, at, n, peekRows, rowTime, rowCount);
    return { bars: lo > 0 || hi < w.length ? w.slice(lo, hi) : w, t, symbol: sym };
  }

  /** NO_DATA unless `got` bars are the `n` asked. */
  function requireWhole(sym: string, t: number, got: number, n: number): void {
    if (got >= n) return;
    const known = completedOnly ? 'ended by' : 'up to';
    throw noData(`${sym}: only ${got} bars ${known} ${iso(t)} in this session, ${n} asked; prepare a longer lookback`, {
      symbol: sym,
      at: t,
      available: got,
      asked: n,
    });
  }

  /** The last `n` bars known at `at` as a columnar window of exactly those bars. */
  function columns(symbol: string, at: TimeInput, n: number): ColumnWindow {
    requireLookback(n, 'n');
    const { w, lo, hi, t, symbol: sym } = lastOf(symbol, at, n, peekCols, colTime, colCount);
    requireWhole(sym, t, hi - lo, n);
    if (lo === 0 && hi === w.length) return w;
    // The exact bars: one more lookup, bounded by the first and last bar's own times.
    const exact = cache.peekColumns({ symbol: sym, interval, start: w.time[lo]!, end: w.time[hi - 1]! });
    if (exact === undefined || exact.length !== n) {
      throw invalidArgument(`${sym} ${interval} is not resident in memory: was the session released before the backtest ran?`, { symbol: sym, interval });
    }
    return exact;
  }

  function window(symbol: string, at: TimeInput, n: number): Bar[] {
    requireLookback(n, 'n');
    const s = lastBars(symbol, at, n);
    requireWhole(s.symbol, s.t, s.bars.length, n);
    return s.bars;
  }

  return {
    symbols: [...prepared.keys()],
    get reads() {
      return reads;
    },
    completedOnly,
    barAt(symbol, at) {
      return lastBars(symbol, at, 1).bars[0];
    },
    window,
    closes(symbol, at, n) {
      requireLookback(n, 'n');
      const { w, lo, hi, t, symbol: sym } = lastOf(symbol, at, n, peekCols, colTime, colCount);
      requireWhole(sym, t, hi - lo, n);
      return Array.from(w.close.subarray(lo, hi));
    },
    columns,
  };
}
