/**
 * The working part of YahooProvider, loaded on its first request (importing the package does not
 * load it): the concurrency limit, the provider-wide rate-limit gate, the retry loop, the HTTP
 * client (yahoo-finance2, itself loaded on the first attempt) and the normalisation of answers.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { isDailyOrLonger } from '../intervals.js';
import type { Interval, ProviderResult } from '../types.js';
import { normaliseChart } from './chart-normalise.js';
import { abortedError, providerFailure } from './provider-errors.js';
import { RateLimitGate } from './rate-limit-gate.js';
import { RetryStop, withRetries } from './retry-loop.js';
import { httpStatusOf, type RetryOptions } from './retry-policy.js';
import { YahooChartClient, type ChartQuery } from './yahoo-chart-client.js';
import { YahooTimeoutError } from './yahoo-errors.js';
import type { RetryInfo, YahooProviderOptions } from './yahoo-provider.js';

const DAY_MS = 86_400_000;

/** What YahooProvider checked and resolved in its constructor. */
export interface YahooFetcherSettings {
  includePrePost: boolean;
  baseUrl: string | undefined;
  timeoutMs: number;
  retryBudgetMs: number;
  retry: Required<RetryOptions>;
  concurrency: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  onRetry: ((info: RetryInfo) => void) | undefined;
  fetch: YahooProviderOptions['fetch'];
  log: YahooProviderOptions['log'];
  /** The provider's counters, updated in place. */
  counters: { calls: number; attempts: number; retries: number; droppedBars: number; errors: number };
}

export class YahooFetcher {
  readonly #s: YahooFetcherSettings;
  readonly #client: YahooChartClient;
  readonly #gate: RateLimitGate;
  readonly #limit: LimitFunction;

  constructor(settings: YahooFetcherSettings) {
    this.#s = settings;
    this.#limit = pLimit(settings.concurrency);
    this.#gate = new RateLimitGate({ baseDelayMs: settings.retry.baseDelayMs, maxCooldownMs: settings.retry.maxRetryAfterMs, sleep: settings.sleep });
    this.#client = new YahooChartClient({ fetch: settings.fetch, baseUrl: settings.baseUrl, log: settings.log });
  }

  /** When a rate-limit cooldown is in force: when it ends (epoch ms). */
  get retryAt(): number | undefined {
    return this.#gate.retryAt;
  }

  /** One checked request (symbol normalised, range non-empty). */
  async fetch(symbol: string, interval: Interval, start: number, end: number, signal: AbortSignal | undefined): Promise<ProviderResult> {
    const s = this.#s;
    const facts = { symbol, interval, start, end };
    if (signal?.aborted) throw abortedError(facts, signal.reason, 0);

    s.counters.calls++;
    const query = this.#queryFor(interval, start, end);
    try {
      const { value, attempts } = await withRetries(
        (deadline) => {
          s.counters.attempts++;
          return this.#limit(() => {
            const left = deadline - Date.now();
            if (left <= 0) return Promise.reject(new YahooTimeoutError(0));
            return this.#client.chart(symbol, query, Math.min(s.timeoutMs, left), signal);
          });
        },
        {
          retry: s.retry,
          budgetMs: s.retryBudgetMs,
          minAttemptMs: Math.min(s.timeoutMs, s.retryBudgetMs / 4),
          gate: this.#gate,
          sleep: s.sleep,
          random: s.random,
          now: Date.now,
          signal,
          onRetry: ({ attempt, delayMs, error }) => {
            s.counters.retries++;
            const status = httpStatusOf(error);
            s.onRetry?.({ symbol, interval, attempt, delayMs, error, ...(status === undefined ? {} : { status }) });
          },
        },
      );
      const out = normaliseChart(value, interval, start, end);
      s.counters.droppedBars += out.droppedBars ?? 0;
      if (attempts > 1) out.retries = attempts - 1;
      return out;
    } catch (err) {
      s.counters.errors++;
      if (err instanceof RetryStop) throw providerFailure(err, facts, { timeoutMs: s.timeoutMs, budgetMs: s.retryBudgetMs, now: Date.now() });
      throw err;
    }
  }

  /**
   * Daily+ bars carry the session open (Sydney opens at 23:00Z the day before): ask for a day
   * more on each side; normaliseChart keeps [start, end) after naming each bar by its date.
   */
  #queryFor(interval: Interval, start: number, end: number): ChartQuery {
    const daily = isDailyOrLonger(interval);
    const period1 = Math.floor((daily ? start - DAY_MS : start) / 1000);
    const period2 = Math.max(period1 + 1, Math.ceil((daily ? end + DAY_MS : end) / 1000));
    return { period1, period2, interval, includePrePost: this.#s.includePrePost, events: 'div|split' };
  }
}
