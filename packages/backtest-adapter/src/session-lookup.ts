import { intervalStepMs, parseTimeInput } from '@barcache/cache-core';
import type { Bar, BarCache, Interval, PrefetchReport, PrefetchSymbolReport, TimeInput } from '@barcache/cache-core';
import { invalidArgument, iso, noData, requireLookback, requireSymbol } from './validate.js';

const DAY = 86_400_000;

/** A prepared session: a prefetch report, or anything that carries one (a grademark session). */
export type PreparedSession = PrefetchReport | { readonly report: PrefetchReport };

/**
 * Synchronous reads of any prepared symbol, for rules that look at another series (a market
 * filter on SPY while trading AAPL). Each read is one `cache.peekBars` (memory only, never I/O,
 * counted as an L1 hit in the cache's stats) and point-in-time: nothing after `at` is returned.
 */
export interface SessionLookup {
  /** The symbols this lookup serves. */
  readonly symbols: readonly string[];
  /** Reads (barAt, window, closes) answered: each is a request an engine without a cache would send to the provider. */
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
  const step = intervalStepMs(interval);
  const daily = step >= DAY;
  const prepared = new Map<string, PrefetchSymbolReport>();
  for (const s of report.symbols) if (!report.failed.includes(s.symbol) && s.error === undefined) prepared.set(s.symbol, s);
  let reads = 0;

  /** The last `n` bars of a prepared symbol with time <= at (fewer when the session holds fewer). */
  function lastBars(symbol: string, at: TimeInput, n: number): { bars: Bar[]; t: number; symbol: string } {
    const sym = requireSymbol(symbol);
    const info = prepared.get(sym);
    if (!info) {
      throw invalidArgument(
        `${sym} was not prepared in this session (prepared: ${[...prepared.keys()].join(', ') || 'none'}); add it to the plan's symbols`,
        { field: 'symbol', symbol: sym, prepared: [...prepared.keys()] },
      );
    }
    const t = parseTimeInput(at, 'at');
    if (t < info.start || t > info.end + (daily ? DAY - 1 : 0)) {
      throw invalidArgument(`${sym}: ${iso(t)} is outside the prepared range ${iso(info.start)}..${iso(info.end)}`, {
        field: 'at',
        symbol: sym,
        at: t,
        start: info.start,
        end: info.end,
      });
    }
    const end = Math.min(t, info.end);
    // A calendar span that holds `n` bars in the usual case; doubled while short (holidays, halts).
    let span = daily ? Math.ceil(n * 1.5) * step + 5 * DAY : n * step * 4 + 3 * DAY;
    for (;;) {
      const from = Math.max(info.start, end - span);
      const bars = cache.peekBars({ symbol: sym, interval, start: from, end });
      if (!bars) {
        throw invalidArgument(`${sym} ${interval} is not resident in memory: was the session released before the backtest ran?`, {
          symbol: sym,
          interval,
        });
      }
      if (bars.length >= n || from === info.start) {
        reads++;
        return { bars: bars.length > n ? bars.slice(bars.length - n) : bars, t, symbol: sym };
      }
      span *= 2;
    }
  }

  function window(symbol: string, at: TimeInput, n: number): Bar[] {
    requireLookback(n, 'n');
    const s = lastBars(symbol, at, n);
    if (s.bars.length < n) {
      throw noData(`${s.symbol}: only ${s.bars.length} bars up to ${iso(s.t)} in this session, ${n} asked; prepare a longer lookback`, {
        symbol: s.symbol,
        at: s.t,
        available: s.bars.length,
        asked: n,
      });
    }
    return s.bars;
  }

  return {
    symbols: [...prepared.keys()],
    get reads() {
      return reads;
    },
    barAt(symbol, at) {
      return lastBars(symbol, at, 1).bars[0];
    },
    window,
    closes(symbol, at, n) {
      return window(symbol, at, n).map((b) => b.close);
    },
  };
}
