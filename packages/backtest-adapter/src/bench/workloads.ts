/**
 * The request patterns the benchmark replays. A workload is a list of engine steps (simulated
 * days); inside a step each symbol's requests run in order and symbols run side by side, as a
 * portfolio engine does. Ranges are inclusive epoch ms (like `BarCache.getBars`).
 */
import { tradingDays } from '@barcache/test-support';
import { DAY_MS as D } from '@barcache/cache-core';


export interface BenchRequest {
  symbol: string;
  start: number;
  end: number;
}

export interface Workload {
  id: string;
  title: string;
  symbols: string[];
  /** First and last simulated trading day (inclusive). */
  start: number;
  end: number;
  /** Calendar-day lookbacks the strategy reads; Barcache prefetches the longest. */
  lookbackDays: number[];
  steps: BenchRequest[][];
  requests: number;
}

function build(id: string, title: string, symbols: string[], from: string, to: string, lookbackDays: number[]): Workload {
  const days = tradingDays(from, Date.parse(`${to}T00:00:00Z`) + D);
  const steps: BenchRequest[][] = days.map((now) =>
    symbols.flatMap((symbol) => [{ symbol, start: now, end: now }, ...lookbackDays.map((lb) => ({ symbol, start: now - lb * D, end: now }))]),
  );
  // The seed's "one chart call for the whole period at the end".
  steps.push(symbols.map((symbol) => ({ symbol, start: days[0]!, end: days.at(-1)! })));
  return {
    id,
    title,
    symbols,
    start: days[0]!,
    end: days.at(-1)!,
    lookbackDays,
    steps,
    requests: steps.reduce((n, s) => n + s.length, 0),
  };
}

/**
 * The seed analysis's engine: 62 trading days; every day `getBars(now, now)` (the engine) and
 * `getBars(now − 30 days, now)` (the strategy), then one whole-period call: 125 requests per symbol.
 */
export function seedWorkload(symbols = ['AAPL', 'MSFT', 'NVDA']): Workload {
  return build('seed-62d', `seed engine: 62 days × (bar + 30-day lookback) + 1, ${symbols.length} symbols`, symbols, '2024-07-01', '2024-09-26', [30]);
}

/** 50 made-up tickers (the data is synthetic anyway). */
export const FIFTY_SYMBOLS = Array.from({ length: 50 }, (_, i) => `SYN${String(i + 1).padStart(2, '0')}`);

/** 50 symbols × 2 years; every day the bar plus 30-, 90- and 200-day lookbacks, then one whole-period call. */
export function largeWorkload(symbols = FIFTY_SYMBOLS): Workload {
  return build('large-2y', `${symbols.length} symbols × 2 years × (bar + 30/90/200-day lookbacks) + 1`, symbols, '2023-01-03', '2024-12-31', [30, 90, 200]);
}
