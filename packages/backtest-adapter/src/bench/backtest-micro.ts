/**
 * The toy backtest: 50 symbols × 2 years of daily bars, every day for every symbol a 30-bar
 * lookback and an SMA 10/30 crossover on it. The same loop over the same windows, by:
 * - baseline: typed-array views (`subarray`) of raw columns the loop holds itself, found by binary search;
 * - Barcache `peekColumns` (typed-array views of the resident series), one call per day and symbol;
 * - Barcache `peekColumns` once per symbol for the whole session, sliced per day like the floor;
 * - Barcache `getBars` (awaited Bar[] rows).
 * Rounds interleave the variants (each round runs every variant's whole loop 5 times); each time is
 * the median per-loop time over the rounds, after one warm-up round, and each ratio the median of
 * the rounds' own ratios (a round's variants ran side by side, so a slow spell on this shared
 * machine moves both sides of a round's ratio together).
 */
import { performance } from 'node:perf_hooks';
import { openCache, type BarCache, type BarProvider } from '@barcache/cache-core';
import { FIFTY_SYMBOLS } from './workloads.js';

export interface BacktestFigures {
  symbols: number;
  days: number;
  lookbackBars: number;
  repeats: number;
  baselineMs: number;
  peekColumnsMs: number;
  getBarsMs: number;
  /** peekColumns ÷ baseline: the median of the rounds' ratios. */
  columnsRatio: number;
  /** One peekColumns window per symbol for the whole session, sliced per day by the loop. */
  columnsOnceMs: number;
  columnsOnceRatio: number;
  /** getBars ÷ baseline: the median of the rounds' ratios. */
  getBarsRatio: number;
  /** Every variant saw the same windows and signals. */
  identical: boolean;
}

const LOOKBACK = 30;
const PASSES = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The median over rounds of xs[r] / base[r]: each round's two figures were measured side by side. */
function pairedRatio(xs: number[], base: number[]): number {
  return median(xs.map((x, r) => x / base[r]!));
}

/** The strategy's work on one window of closes: SMA 10 and SMA 30, and which is above. */
function signal(close: ArrayLike<number>, n: number): number {
  let s10 = 0;
  let s30 = 0;
  for (let i = n - LOOKBACK; i < n; i++) {
    const c = close[i]!;
    s30 += c;
    if (i >= n - 10) s10 += c;
  }
  return s10 / 10 > s30 / LOOKBACK ? 1 : -1;
}

/** The same on Bar rows, reading `.close` in place. */
function signalOfRows(bars: readonly { close: number }[]): number {
  const n = bars.length;
  let s10 = 0;
  let s30 = 0;
  for (let i = n - LOOKBACK; i < n; i++) {
    const c = bars[i]!.close;
    s30 += c;
    if (i >= n - 10) s10 += c;
  }
  return s10 / 10 > s30 / LOOKBACK ? 1 : -1;
}

function lowerBound(t: Float64Array, x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Series {
  symbol: string;
  time: Float64Array;
  close: Float64Array;
}

/** Runs the loop: every day, every symbol; the window of day d is [time[d − 29], time[d]]. Returns a checksum. */
type Variant = (series: Series[], days: number) => Promise<number> | number;

export async function backtestMicro(dir: string, provider: BarProvider, repeats = 21): Promise<BacktestFigures> {
  const symbols = FIFTY_SYMBOLS;
  const cache: BarCache = await openCache({ dir, provider, statsSnapshots: false });
  try {
    const session = await cache.prefetch({ symbols, interval: '1d', start: '2023-01-03', end: '2024-12-30', lookback: { bars: LOOKBACK } });
    if (session.report.failed.length > 0) throw new Error(`backtest prefetch failed for ${session.report.failed.join(', ')}`);
    // The baseline's own raw columns (copies: it owns them, as a loop over files would).
    const series: Series[] = [];
    for (const symbol of symbols) {
      const bars = await cache.getBars({ symbol, interval: '1d', start: '2023-01-03', end: '2024-12-30' });
      series.push({ symbol, time: Float64Array.from(bars, (b) => b.time), close: Float64Array.from(bars, (b) => b.close) });
    }
    const days = Math.min(...series.map((s) => s.time.length));
    const windows = (s: Series, d: number) => ({ start: s.time[d - LOOKBACK + 1]!, end: s.time[d]! });

    const baseline: Variant = (ss, n) => {
      let sum = 0;
      for (let d = LOOKBACK - 1; d < n; d++) {
        for (const s of ss) {
          const { start, end } = windows(s, d);
          const lo = lowerBound(s.time, start);
          const hi = lowerBound(s.time, end + 1);
          const close = s.close.subarray(lo, hi);
          sum += signal(close, close.length);
        }
      }
      return sum;
    };
    const columns: Variant = (ss, n) => {
      let sum = 0;
      for (let d = LOOKBACK - 1; d < n; d++) {
        for (const s of ss) {
          const { start, end } = windows(s, d);
          const w = cache.peekColumns({ symbol: s.symbol, interval: '1d', start, end })!;
          sum += signal(w.close, w.length);
        }
      }
      return sum;
    };
    // The window taken once per symbol for the whole session, then sliced per day like the floor:
    // what the lifetime rules allow (views stay valid while the session is open).
    const columnsOnce: Variant = (ss, n) => {
      const ws = ss.map((s) => cache.peekColumns({ symbol: s.symbol, interval: '1d', start: s.time[0]!, end: s.time[s.time.length - 1]! })!);
      let sum = 0;
      for (let d = LOOKBACK - 1; d < n; d++) {
        for (let k = 0; k < ss.length; k++) {
          const { start, end } = windows(ss[k]!, d);
          const w = ws[k]!;
          const time = w.time;
          const lo = lowerBound(time, start);
          const hi = lowerBound(time, end + 1);
          const close = w.close.subarray(lo, hi);
          sum += signal(close, close.length);
        }
      }
      return sum;
    };
    const rows: Variant = async (ss, n) => {
      let sum = 0;
      for (let d = LOOKBACK - 1; d < n; d++) {
        for (const s of ss) {
          const { start, end } = windows(s, d);
          const bars = await cache.getBars({ symbol: s.symbol, interval: '1d', start, end });
          sum += signalOfRows(bars);
        }
      }
      return sum;
    };
    const variants = { baseline, columns, columnsOnce, rows };
    const runs = { baseline: [] as number[], columns: [] as number[], columnsOnce: [] as number[], rows: [] as number[] };
    const sums = new Set<number>();
    for (let r = -1; r < repeats; r++) {
      for (const name of ['baseline', 'columns', 'columnsOnce', 'rows'] as const) {
        // Several passes per round: one pass is a few ms, too short to time on a busy machine.
        const t0 = performance.now();
        for (let p = 0; p < PASSES; p++) sums.add(await variants[name](series, days));
        if (r >= 0) runs[name].push((performance.now() - t0) / PASSES);
      }
    }
    session.release();
    const baselineMs = median(runs.baseline);
    const peekColumnsMs = median(runs.columns);
    const getBarsMs = median(runs.rows);
    const columnsOnceMs = median(runs.columnsOnce);
    return {
      symbols: symbols.length,
      days,
      lookbackBars: LOOKBACK,
      repeats,
      baselineMs,
      peekColumnsMs,
      getBarsMs,
      columnsOnceMs,
      columnsRatio: pairedRatio(runs.columns, runs.baseline),
      columnsOnceRatio: pairedRatio(runs.columnsOnce, runs.baseline),
      getBarsRatio: pairedRatio(runs.rows, runs.baseline),
      identical: sums.size === 1,
    };
  } finally {
    await cache.close();
  }
}
