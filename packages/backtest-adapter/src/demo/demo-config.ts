/** What the demo backtests: shared by the parent (main.ts) and each run's child process. */
export interface DemoConfig {
  dir: string;
  /** The folder of sample price files (CSV) served by FileProvider, when the data is synthetic. */
  dataDir?: string;
  synthetic: boolean;
  symbols: string[];
  market: string;
  start: string;
  end: string;
  lookbackPeriod: number;
}

export interface SymbolResult {
  symbol: string;
  bars: number;
  trades: number;
  wins: number;
  /** Compounded growth of the symbol's trades (1 = flat). */
  growth: number;
}

export interface RunResult {
  label: string;
  /** From opening the cache to the last trade computed, ms. */
  wallMs: number;
  /** The whole child process, spawn to exit, ms (filled in by the parent). */
  processMs?: number;
  requests: number;
  l1Hits: number;
  l2Hits: number;
  misses: number;
  providerCalls: number;
  providerBars: number;
  /** Where prefetch found each series: l1 / l2 / provider / mixed → how many series. */
  prefetchSources: Record<string, number>;
  /** Where prefetch found the session's bars: l1 / l2 / provider / mixed → how many bars (the prefetch report's per-symbol source and bars). */
  seriesBarsBySource: Record<string, number>;
  prefetchProviderCalls: number;
  /** Series the backtest loads: the traded symbols plus the market series (what a no-cache version fetches, once each, every run). */
  seriesLoads: number;
  /** Synchronous market-filter reads the rules made through the session lookup (served from memory). */
  marketReads: number;
  symbols: SymbolResult[];
  /** sha256 of every trade, to compare runs. */
  tradesDigest: string;
}

/** The provider name synthetic data is stored under, so it never mixes with real Yahoo bars. */
export const SYNTHETIC_PROVIDER_NAME = 'synthetic-demo';

/** The demo's sample price files (LOCAL SYNTHETIC data), `demo-data/` beside src/ and dist/. */
export const DEMO_DATA_URL = new URL('../../demo-data/', import.meta.url);
