/**
 * The contract of the loopback Yahoo chart server (yahoo-chart-server.ts): where a symbol's bars
 * come from, its options, the faults it injects, what it records, and the handle a test holds.
 */
import type { Bar, Interval } from '@barcache/cache-core';
import type { DateLike } from './synthetic-bars.js';

/**
 * Where a symbol's bars come from. `period1Ms`/`period2Ms` are the request's period1/period2 in
 * epoch ms. Return bars as cache-core defines them (daily+: 00:00 UTC of the trading date;
 * intraday: epoch ms of the bar's open). The server converts daily times to Yahoo's session-open
 * timestamps and keeps only those in [period1, period2), so a source may return extra bars.
 */
export type BarSource = (
  symbol: string,
  interval: Interval,
  period1Ms: number,
  period2Ms: number,
  context: { includePrePost: boolean },
) => Bar[] | Promise<Bar[]>;

export interface SymbolConfig {
  /** The exchange's IANA zone (`meta.exchangeTimezoneName`). Default 'America/New_York'. */
  timezone?: string;
  /** Regular session, local 'HH:MM'. Default by zone (New York 09:30–16:00, Sydney 10:00–16:00). */
  session?: { open: string; close: string };
  currency?: string;
  exchangeName?: string;
  instrumentType?: string;
  /** Split events (their date's session open is the event's timestamp). */
  splits?: { date: DateLike; numerator: number; denominator: number }[];
  dividends?: { date: DateLike; amount: number }[];
  /** This symbol's bars. Default: the server's `source`, else the synthetic generators. */
  source?: BarSource;
  /**
   * Serve this body verbatim for every chart request of the symbol: a fixture name from
   * test-support's `fixtures/` folder (e.g. 'split-4-1.json') or a JSON value.
   */
  fixture?: string | object;
  /** HTTP status for `fixture`. Default 200 (404 for the '404-not-found.json' fixture). */
  fixtureStatus?: number;
}

export interface YahooChartServerOptions {
  /** Default source for symbols without their own. Default: synthetic bars (seeded by symbol). */
  source?: BarSource;
  /** Seed for the synthetic source. Default 0. */
  seed?: number;
  /** Per-symbol settings (keys are upper-case tickers). */
  symbols?: Record<string, SymbolConfig>;
  /** When given, every other symbol answers 404 like Yahoo. */
  knownSymbols?: string[];
  /** These symbols answer 404. Default ['NOSUCHSYMBOL', 'DELISTED']. */
  unknownSymbols?: string[];
  /** Simulated provider latency before each answer, ms. Default 0. */
  latencyMs?: number;
  /** Clock for meta.regularMarketTime/currentTradingPeriod. Default Date.now. */
  now?: () => number;
}

/** A fault the server injects. `times` = how many requests it applies to (default: until cleared). */
export type ChartFault =
  /** Answer with this status (429: 'Too Many Requests' text; 5xx: text; others: Yahoo's JSON error). */
  | { kind: 'status'; status: number; times?: number; retryAfterSec?: number; body?: string }
  /** Never answer (the socket stays open until the client gives up or the server closes). */
  | { kind: 'hang'; times?: number }
  /** A valid chart with no timestamps (what Yahoo sends for a range without bars). */
  | { kind: 'empty'; times?: number }
  /** Null prices (open/high/low/close/volume/adjclose) for every `every`-th bar from index 0. Default every 3. */
  | { kind: 'nullBars'; every?: number; times?: number }
  /** Yahoo's 404 'No data found, symbol may be delisted'. */
  | { kind: 'notFound'; times?: number }
  /** 200 with a body that is not a chart. */
  | { kind: 'malformed'; times?: number }
  /** 200 with `chart.result: null` (and no error). */
  | { kind: 'nullResult'; times?: number }
  /** The chart with its quotes but without `timestamp`. */
  | { kind: 'noTimestamps'; times?: number }
  /** The chart of the symbol asked for, labelled as another symbol's (`meta.symbol`). Default 'OTHER'. */
  | { kind: 'otherSymbol'; symbol?: string; times?: number };

export interface RecordedRequest {
  symbol: string;
  interval: string;
  /** period1/period2 exactly as sent (epoch seconds). */
  period1: number;
  period2: number;
  /** The same in epoch ms. */
  start: number;
  end: number;
  events: string | undefined;
  includePrePost: boolean | undefined;
  /** The path and query as received. */
  url: string;
  /** Arrival time (Date.now()). */
  at: number;
  /** The status answered, or 'hang'. */
  status: number | 'hang';
  /**
   * What the answer was: 'ok' | 'empty' | 'nullBars' | 'fixture' | 'status' | 'notFound' | 'hang' |
   * 'malformed' | 'nullResult' | 'noTimestamps' | 'otherSymbol' | 'badRequest'.
   */
  outcome: string;
  /** Number of timestamps in the answer. */
  bars: number;
}

export interface YahooChartServer {
  /** 'http://127.0.0.1:<port>' — use as YahooProvider's `baseUrl` or BARCACHE_YAHOO_BASE_URL. */
  url: string;
  port: number;
  /** Every request received, in order (chart and other paths). */
  requests: RecordedRequest[];
  /** Chart requests, optionally for one symbol (and interval). */
  chartRequests(symbol?: string, interval?: string): RecordedRequest[];
  /** Add a fault for one symbol (or all when `symbol` is omitted). `null` clears that symbol's faults. */
  setFault(fault: ChartFault | null, symbol?: string): void;
  /** The next `n` chart requests (of `symbol`, or any) answer `status` (e.g. 429 twice, then success). */
  failNext(n: number, status: number, opts?: { symbol?: string; retryAfterSec?: number }): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  /** Change or add a symbol's configuration at run time. */
  configureSymbol(symbol: string, config: SymbolConfig): void;
  /** Forget recorded requests (faults stay). */
  resetRequests(): void;
  /** A fetch that sends requests for *.finance.yahoo.com to this server (other URLs untouched). */
  fetch: typeof fetch;
  close(): Promise<void>;
}
