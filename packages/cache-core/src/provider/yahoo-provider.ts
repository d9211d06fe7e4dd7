/**
 * The Yahoo Finance provider: Yahoo's chart API through yahoo-finance2 v3, with one provider-wide
 * cooldown for rate limits, a total retry budget per request, per-attempt time-outs, bounded
 * concurrency, and normalisation to cache-core's Bar contract.
 *
 * The jobs live apart: the HTTP attempt (yahoo-chart-client.ts), reading the answer
 * (chart-answer.ts, chart-normalise.ts), the retry loop (retry-loop.ts with retry-policy.ts and
 * rate-limit-gate.ts) and the error codes (provider-errors.ts), wired by yahoo-fetcher.ts. This
 * class checks its options and the requests, and loads that working part on its first request:
 * importing the package (or constructing a provider) loads none of it.
 */
import { invalidArgument } from '../errors.js';
import { assertInterval } from '../intervals.js';
import { normalizeSymbol } from '../time-input.js';
import type { BarProvider, Interval, ProviderLimits, ProviderRequest, ProviderResult } from '../types.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry-policy.js';
import type { YahooFetcher, YahooFetcherSettings } from './yahoo-fetcher.js';
import { mergeProviderLimits } from './yahoo-limits.js';

export { YahooBadResponseError, YahooHttpError, YahooTimeoutError, YahooUnreachableError } from './yahoo-errors.js';
/** Default total budget of one request (all attempts and waits), ms. */
export const DEFAULT_RETRY_BUDGET_MS = 30_000;
/** Default per-attempt time-out, ms. */
export const DEFAULT_TIMEOUT_MS = 15_000;

export interface YahooProviderOptions {
  /** The fetch used for every request. Default: globalThis.fetch at call time. */
  fetch?: typeof fetch;
  /**
   * Send requests meant for Yahoo's hosts (`*.yahoo.com`) to this base URL instead, e.g.
   * 'http://127.0.0.1:4567' (a loopback server speaking Yahoo's chart JSON).
   * Default: `process.env.BARCACHE_YAHOO_BASE_URL`, else Yahoo itself.
   */
  baseUrl?: string;
  /** Ask for pre- and post-market bars (intraday). Part of the series identity: name 'yahoo+prepost'. Default false. */
  includePrePost?: boolean;
  /** Overrides of YAHOO_LIMITS, merged per interval. */
  limits?: Partial<ProviderLimits>;
  /**
   * Retries after the first attempt (default 4), full-jitter backoff (default 500 ms doubling to
   * 8000 ms; the first rate-limit cooldown is baseDelayMs too, doubling per 429 in a row) and the
   * longest cooldown a 429's Retry-After can impose (maxRetryAfterMs, default 60 000).
   */
  retry?: Partial<RetryOptions>;
  /** Per attempt, ms. Default 15 000. */
  timeoutMs?: number;
  /**
   * The most one request may take, all attempts, backoffs and rate-limit waits included, ms.
   * A request that cannot succeed within it fails at once (RATE_LIMITED says when to try again).
   * Default 30 000.
   */
  retryBudgetMs?: number;
  /** Requests in flight at once (per provider instance). Default 4. */
  concurrency?: number;
  /** Waits between attempts; injectable for tests. Must reject when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source, [0, 1). Default Math.random. */
  random?: () => number;
  /** Called before each retry (for stats and logs). */
  onRetry?: (info: RetryInfo) => void;
  /**
   * Where yahoo-finance2's own messages go (its notices, the "Unsupported environment" warning on
   * Node < 22). Default: nowhere. Nothing from it reaches stdout/stderr.
   */
  log?: (level: 'info' | 'warn' | 'error' | 'debug', ...args: unknown[]) => void;
}

export interface RetryInfo {
  symbol: string;
  interval: Interval;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  status?: number;
  error: unknown;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function positive(value: number, name: string): number {
  if (!(typeof value === 'number' && value > 0)) throw new TypeError(`${name} must be > 0, got ${value}`);
  return value;
}

/** Yahoo's chart API through yahoo-finance2 v3, normalised to Barcache bars. */
export class YahooProvider implements BarProvider {
  readonly name: string;
  readonly limits: ProviderLimits;
  readonly includePrePost: boolean;
  /** The loopback/base URL requests are rewritten to, when one is set. */
  readonly baseUrl: string | undefined;
  /** Per attempt, ms. */
  readonly timeoutMs: number;
  /** Total per request, ms. */
  readonly retryBudgetMs: number;
  /** Counters over this instance's life: HTTP attempts made, retries, bars dropped for null prices. */
  readonly counters = { calls: 0, attempts: 0, retries: 0, droppedBars: 0, errors: 0 };

  readonly #settings: YahooFetcherSettings;
  #fetcher: YahooFetcher | undefined;
  #loading: Promise<YahooFetcher> | undefined;

  constructor(options: YahooProviderOptions = {}) {
    this.includePrePost = options.includePrePost ?? false;
    this.name = this.includePrePost ? 'yahoo+prepost' : 'yahoo';
    this.limits = mergeProviderLimits(options.limits);
    const envBase = typeof process !== 'undefined' ? process.env.BARCACHE_YAHOO_BASE_URL : undefined;
    this.baseUrl = options.baseUrl ?? (envBase && envBase.trim() !== '' ? envBase.trim() : undefined);
    const retry = { ...DEFAULT_RETRY, ...stripUndefined(options.retry ?? {}) };
    if (!(Number.isInteger(retry.retries) && retry.retries >= 0)) {
      throw new TypeError(`retry.retries must be an integer >= 0, got ${retry.retries}`);
    }
    this.timeoutMs = positive(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.retryBudgetMs = positive(options.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS, 'retryBudgetMs');
    const concurrency = options.concurrency ?? 4;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new TypeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    this.#settings = {
      includePrePost: this.includePrePost,
      baseUrl: this.baseUrl,
      timeoutMs: this.timeoutMs,
      retryBudgetMs: this.retryBudgetMs,
      retry,
      concurrency,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      onRetry: options.onRetry,
      fetch: options.fetch,
      log: options.log,
      counters: this.counters,
    };
  }

  /** When a rate-limit cooldown is in force: when it ends (epoch ms). */
  get rateLimitedUntil(): number | undefined {
    return this.#fetcher?.retryAt;
  }

  /** The working part, loaded once, on the first request. */
  #load(): Promise<YahooFetcher> {
    this.#loading ??= import('./yahoo-fetcher.js').then((m) => (this.#fetcher = new m.YahooFetcher(this.#settings)));
    return this.#loading;
  }

  async fetchBars(req: ProviderRequest): Promise<ProviderResult> {
    const symbol = normalizeSymbol(req.symbol);
    const interval = assertInterval(req.interval);
    const { start, end, signal } = req;
    if (!isFiniteNumber(start) || !isFiniteNumber(end)) {
      throw invalidArgument(`start and end must be finite epoch ms, got ${start} and ${end}`, { symbol, interval, start, end });
    }
    if (start >= end) {
      const iso = (t: number) => new Date(t).toISOString();
      throw invalidArgument(`empty range: start (${iso(start)}) must be before end (${iso(end)})`, { symbol, interval, start, end });
    }
    return (this.#fetcher ?? (await this.#load())).fetch(symbol, interval, start, end, signal);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
