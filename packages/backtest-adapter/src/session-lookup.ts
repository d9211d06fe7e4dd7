import { parseTimeInput } from '@barcache/cache-core';
import type { Bar, BarCache, Interval, PrefetchReport, PrefetchSymbolReport, TimeInput } from '@barcache/cache-core';
import { invalidArgument, iso, noData, requireLookback, requireSymbol } from './validate.js';
import { barAsOf, windowEndingAt } from './window.js';

/** A prepared session: a prefetch report, or anything that carries one (a grademark session). */
export type PreparedSession = PrefetchReport | { readonly report: PrefetchReport };

/**
 * Synchronous reads of any prepared symbol, for rules that look at another series (a market
 * filter on SPY while trading AAPL). Served from memory (`cache.peekBars`), never I/O, and
 * point-in-time: nothing after `at` is ever returned.
 */
export interface SessionLookup {
  /** The symbols this lookup serves. */
  readonly symbols: readonly string[];
  /** How many reads (barAt, window, closes) this lookup has answered: each is a request an uncached engine would send. */
  readonly reads: number;
  /** The last bar of `symbol` with time <= at, or undefined when the session holds none that early. */
  barAt(symbol: string, at: TimeInput): Bar | undefined;
  /** The last `n` bars of `symbol` with time <= at, ascending. Throws NO_DATA when fewer than `n` exist. */
  window(symbol: string, at: TimeInput, n: number): Bar[];
  /** Closes of `window(symbol, at, n)`. */
  closes(symbol: string, at: TimeInput, n: number): number[];
}

function reportOf(session: PreparedSession): PrefetchReport {
  return 'report' in session ? session.report : session;
}

/**
 * Builds the lookup over a prepared session. Throws INVALID_ARGUMENT for a symbol that was not
 * prepared, for a time outside the prepared range, or when the series is no longer resident
 * (the session was released and memory reclaimed).
 */
export function createSessionLookup(cache: BarCache, session: PreparedSession): SessionLookup {
  const report = reportOf(session);
  const interval: Interval = report.interval;
  const prepared = new Map<string, PrefetchSymbolReport>();
  for (const s of report.symbols) if (!report.failed.includes(s.symbol) && s.error === undefined) prepared.set(s.symbol, s);
  const resident = new Map<string, Bar[]>();

  function series(symbol: string, at: TimeInput): { bars: Bar[]; t: number; symbol: string } {
    const sym = requireSymbol(symbol);
    const info = prepared.get(sym);
    if (!info) {
      throw invalidArgument(
        `${sym} was not prepared in this session (prepared: ${[...prepared.keys()].join(', ') || 'none'}); add it to the plan's symbols`,
        { field: 'symbol', symbol: sym, prepared: [...prepared.keys()] },
      );
    }
    const t = parseTimeInput(at, 'at');
    if (t < info.start || t > info.end + dayTail(interval)) {
      throw invalidArgument(`${sym}: ${iso(t)} is outside the prepared range ${iso(info.start)}..${iso(info.end)}`, {
        field: 'at',
        symbol: sym,
        at: t,
        start: info.start,
        end: info.end,
      });
    }
    let bars = resident.get(sym);
    if (!bars) {
      bars = cache.peekBars({ symbol: sym, interval, start: info.start, end: info.end });
      if (!bars) {
        throw invalidArgument(`${sym} ${interval} is not resident in memory: was the session released before the backtest ran?`, {
          symbol: sym,
          interval,
        });
      }
      resident.set(sym, bars);
    }
    return { bars, t, symbol: sym };
  }

  function window(symbol: string, at: TimeInput, n: number): Bar[] {
    requireLookback(n, 'n');
    const s = series(symbol, at);
    const w = windowEndingAt(s.bars, s.t, n);
    if (w.length < n) {
      throw noData(`${s.symbol}: only ${w.length} bars up to ${iso(s.t)} in this session, ${n} asked; prepare a longer lookback`, {
        symbol: s.symbol,
        at: s.t,
        available: w.length,
        asked: n,
      });
    }
    return w;
  }

  let reads = 0;
  return {
    symbols: [...prepared.keys()],
    get reads() {
      return reads;
    },
    barAt(symbol, at) {
      const s = series(symbol, at);
      reads++;
      return barAsOf(s.bars, s.t);
    },
    window(symbol, at, n) {
      const w = window(symbol, at, n);
      reads++;
      return w;
    },
    closes(symbol, at, n) {
      const w = window(symbol, at, n);
      reads++;
      return w.map((b) => b.close);
    },
  };
}

/** A time during the last prepared day (e.g. its close) is still inside the range. */
function dayTail(interval: Interval): number {
  return interval === '1d' || interval === '5d' || interval === '1wk' || interval === '1mo' || interval === '3mo' ? 86_400_000 - 1 : 0;
}
