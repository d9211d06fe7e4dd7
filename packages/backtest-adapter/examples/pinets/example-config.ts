/** What the example runs: shared by the parent (main.ts) and each run's child process (run.ts). */
export interface ExampleConfig {
  dir: string;
  /** The loopback Yahoo-compatible server, when there is no network (synthetic data). */
  baseUrl?: string;
  symbols: string[];
  start: string;
  end: string;
}

export interface SymbolPlots {
  symbol: string;
  bars: number;
  /** Each plot's last value. */
  last: Record<string, number | null>;
}

export interface ExampleRun {
  label: string;
  symbols: SymbolPlots[];
  /** cache.stats() at the end of the run (this process only). */
  providerCalls: number;
  prefetchSources: string[];
  marketDataCalls: number;
  /** getBars/peekBars answered while the scripts ran (after the prefetch), and how many of them from L1. */
  runRequests: number;
  runL1Hits: number;
  l1Bytes: number;
  wallMs: number;
}

/** Synthetic bars are stored under their own provider name, so they never mix with real Yahoo bars. */
export const SYNTHETIC_PROVIDER_NAME = 'yahoo-synthetic-example';
