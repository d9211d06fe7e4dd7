/**
 * The Yahoo Finance provider: yahoo-finance2 v3's `chart()` with retries, time-outs, bounded
 * concurrency, and normalisation to cache-core's Bar contract.
 */
import YahooFinance from 'yahoo-finance2';
import pLimit, { type LimitFunction } from 'p-limit';
import { BarcacheError, ErrorCode, invalidArgument } from '../errors.js';
import { assertInterval, isDailyOrLonger } from '../intervals.js';
import { normalizeSymbol } from '../time-input.js';
import type { Bar, BarProvider, Dividend, Interval, ProviderLimits, ProviderRequest, ProviderResult, Split } from '../types.js';
import { exchangeDateMs } from './exchange-date.js';
import { mergeProviderLimits } from './yahoo-limits.js';
import { DEFAULT_RETRY, httpStatusOf, isRetryable, isTimeoutError, parseRetryAfter, retryDelayMs, type RetryOptions } from './retry-policy.js';

const DAY_MS = 86_400_000;

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
  /** Retries after the first attempt (default 4) and full-jitter backoff (default 500 ms doubling to 8000 ms). */
  retry?: Partial<RetryOptions>;
  /** Per attempt, ms. Default 15 000. */
  timeoutMs?: number;
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
   * Node < 22, validation dumps). Default: nowhere. Nothing from it reaches stdout/stderr.
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

/** An HTTP answer that was not OK, raised inside our fetch so yahoo-finance2 never prints it. */
export class YahooHttpError extends Error {
  override readonly name = 'YahooHttpError';
  constructor(
    readonly status: number,
    readonly body: string,
    readonly retryAfterMs: number | undefined,
    readonly url: string,
  ) {
    super(`Yahoo answered HTTP ${status}${body ? `: ${body.slice(0, 200).trim()}` : ''}`);
  }
}

/** An attempt that took longer than `timeoutMs`. */
export class YahooTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`Yahoo did not answer within ${timeoutMs} ms`);
  }
}

/** A 200 answer that is not a usable chart. */
class YahooBadResponseError extends Error {
  override readonly name = 'YahooBadResponseError';
}

/** What we read from yahoo-finance2's `chart(..., { return: 'array' })`. */
interface ChartArrayResult {
  meta: { exchangeTimezoneName?: string; gmtoffset?: number; symbol?: string };
  quotes: {
    date: Date;
    open: number | null;
    high: number | null;
    low: number | null;
    close: number | null;
    volume: number | null;
    adjclose?: number | null;
  }[];
  events?: {
    dividends?: { date: Date; amount: number }[];
    splits?: { date: Date; numerator: number; denominator: number }[];
  };
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

/** Rewrites a URL on a Yahoo host (`*.yahoo.com`) to `baseUrl`, keeping path and query. */
export function rewriteYahooUrl(url: string, baseUrl: string): string {
  const m = /^https?:\/\/(?:[^/@]*\.)?yahoo\.com(?::\d+)?(\/.*)?$/i.exec(url);
  if (!m) return url;
  return baseUrl.replace(/\/+$/, '') + (m[1] ?? '/');
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

function isNotFound(err: unknown): boolean {
  if (httpStatusOf(err) === 404) return true;
  const msg = err instanceof Error ? err.message : '';
  return /No data found|symbol may be delisted/i.test(msg);
}

/** Yahoo's chart API through yahoo-finance2 v3, normalised to Barcache bars. */
export class YahooProvider implements BarProvider {
  readonly name: string;
  readonly limits: ProviderLimits;
  readonly includePrePost: boolean;
  /** The loopback/base URL requests are rewritten to, when one is set. */
  readonly baseUrl: string | undefined;
  /** Counters over this instance's life: HTTP attempts made, retries, bars dropped for null prices. */
  readonly counters = { calls: 0, attempts: 0, retries: 0, droppedBars: 0, errors: 0 };

  private readonly yf: InstanceType<typeof YahooFinance>;
  private readonly retry: Required<RetryOptions>;
  private readonly timeoutMs: number;
  private readonly limit: LimitFunction;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly userFetch: typeof fetch | undefined;
  private readonly onRetry: ((info: RetryInfo) => void) | undefined;

  constructor(options: YahooProviderOptions = {}) {
    this.includePrePost = options.includePrePost ?? false;
    this.name = this.includePrePost ? 'yahoo+prepost' : 'yahoo';
    this.limits = mergeProviderLimits(options.limits);
    const envBase = typeof process !== 'undefined' ? process.env.BARCACHE_YAHOO_BASE_URL : undefined;
    this.baseUrl = options.baseUrl ?? (envBase && envBase.trim() !== '' ? envBase.trim() : undefined);
    this.retry = { ...DEFAULT_RETRY, ...stripUndefined(options.retry ?? {}) };
    if (!(Number.isInteger(this.retry.retries) && this.retry.retries >= 0)) {
      throw new TypeError(`retry.retries must be an integer >= 0, got ${this.retry.retries}`);
    }
    this.timeoutMs = options.timeoutMs ?? 15_000;
    if (!(this.timeoutMs > 0)) throw new TypeError(`timeoutMs must be > 0, got ${this.timeoutMs}`);
    const concurrency = options.concurrency ?? 4;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new TypeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    this.limit = pLimit(concurrency);
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.userFetch = options.fetch;
    this.onRetry = options.onRetry;
    const log = options.log;
    const to = (level: 'info' | 'warn' | 'error' | 'debug') => (...args: unknown[]) => log?.(level, ...args);
    // A logger of our own is the supported way to silence yahoo-finance2: its notices, the
    // "Unsupported environment: Requires Node >= 22" warning (printed from the constructor via
    // logger.warn) and validation dumps all go through it. HTTP errors would also be printed with
    // console.error(url); our fetch raises them itself so that path is never taken.
    this.yf = new YahooFinance({
      logger: { info: to('info'), warn: to('warn'), error: to('error'), debug: to('debug'), dir: to('debug') },
      suppressNotices: ['yahooSurvey'],
      versionCheck: false,
      validation: { logErrors: false, logOptionsErrors: false },
      // yahoo-finance2's queue is shared by all its instances; our own p-limit bounds concurrency.
      queue: { concurrency: 1024 },
    });
  }

  async fetchBars(req: ProviderRequest): Promise<ProviderResult> {
    const symbol = normalizeSymbol(req.symbol);
    const interval = assertInterval(req.interval);
    const { start, end, signal } = req;
    if (!isFiniteNumber(start) || !isFiniteNumber(end)) {
      throw invalidArgument(`start and end must be finite epoch ms, got ${start} and ${end}`, { symbol, interval, start, end });
    }
    if (start >= end) {
      throw invalidArgument(`empty range: start (${new Date(start).toISOString()}) must be before end (${new Date(end).toISOString()})`, {
        symbol,
        interval,
        start,
        end,
      });
    }
    const details = (attempts: number, extra: Record<string, unknown> = {}) => ({ symbol, interval, start, end, attempts, ...extra });
    if (signal?.aborted) {
      throw new BarcacheError(ErrorCode.ABORTED, `fetch of ${symbol} ${interval} aborted`, { cause: signal.reason, details: details(0) });
    }

    // Daily+ bars carry the session open (Sydney opens at 23:00Z the day before): ask for a day
    // more on each side and keep [start, end) after naming each bar by its exchange-local date.
    const daily = isDailyOrLonger(interval);
    const from = daily ? start - DAY_MS : start;
    const to = daily ? end + DAY_MS : end;
    const period1 = Math.floor(from / 1000);
    const period2 = Math.max(period1 + 1, Math.ceil(to / 1000));
    const query = {
      period1,
      period2,
      interval,
      includePrePost: this.includePrePost,
      events: 'div|split',
      return: 'array' as const,
    };

    this.counters.calls++;
    let attempt = 0;
    for (;;) {
      attempt++;
      this.counters.attempts++;
      let result: ChartArrayResult;
      try {
        result = await this.limit(() => this.attempt(symbol, query, signal));
      } catch (err) {
        if (signal?.aborted) {
          this.counters.errors++;
          throw new BarcacheError(ErrorCode.ABORTED, `fetch of ${symbol} ${interval} aborted`, { cause: signal.reason ?? err, details: details(attempt) });
        }
        const status = httpStatusOf(err);
        if (isNotFound(err)) {
          this.counters.errors++;
          throw new BarcacheError(ErrorCode.UNKNOWN_SYMBOL, `Yahoo does not know ${symbol} (no data found, symbol may be delisted)`, {
            cause: err,
            details: details(attempt, { status: status ?? 404 }),
          });
        }
        if (isRetryable(err) && attempt <= this.retry.retries) {
          const delayMs = retryDelayMs(err, attempt, this.retry, this.random);
          this.counters.retries++;
          this.onRetry?.({ symbol, interval, attempt, delayMs, status, error: err });
          try {
            await this.sleep(delayMs, signal);
          } catch (sleepErr) {
            this.counters.errors++;
            throw new BarcacheError(ErrorCode.ABORTED, `fetch of ${symbol} ${interval} aborted`, { cause: signal?.reason ?? sleepErr, details: details(attempt) });
          }
          if (signal?.aborted) {
            this.counters.errors++;
            throw new BarcacheError(ErrorCode.ABORTED, `fetch of ${symbol} ${interval} aborted`, { cause: signal.reason, details: details(attempt) });
          }
          continue;
        }
        this.counters.errors++;
        throw this.failure(err, details(attempt, status === undefined ? {} : { status }), symbol, interval, attempt);
      }
      const out = this.normalise(result, interval, start, end);
      if (attempt > 1) out.retries = attempt - 1;
      return out;
    }
  }

  private failure(err: unknown, details: Record<string, unknown>, symbol: string, interval: Interval, attempts: number): BarcacheError {
    const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
    const status = httpStatusOf(err);
    if (status === 429) {
      return new BarcacheError(ErrorCode.RATE_LIMITED, `Yahoo rate-limited the request for ${symbol} ${interval} (HTTP 429 after ${tries})`, { cause: err, details });
    }
    if (isTimeoutError(err)) {
      return new BarcacheError(ErrorCode.PROVIDER_TIMEOUT, `Yahoo did not answer for ${symbol} ${interval} within ${this.timeoutMs} ms (${tries})`, { cause: err, details });
    }
    const name = err instanceof Error ? err.name : '';
    const msg = err instanceof Error ? err.message : String(err);
    if (name === 'FailedYahooValidationError' || name === 'YahooBadResponseError' || /Unexpected result|not parsable|Timestamp count mismatch/i.test(msg)) {
      return new BarcacheError(ErrorCode.PROVIDER_BAD_RESPONSE, `Yahoo's answer for ${symbol} ${interval} is not a usable chart: ${msg.slice(0, 300)}`, { cause: err, details });
    }
    return new BarcacheError(ErrorCode.PROVIDER_FAILED, `fetching ${symbol} ${interval} from Yahoo failed after ${tries}: ${msg.slice(0, 300)}`, { cause: err, details });
  }

  /** One HTTP attempt, bounded by the time-out and the caller's signal. */
  private async attempt(symbol: string, query: Record<string, unknown>, outer: AbortSignal | undefined): Promise<ChartArrayResult> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new YahooTimeoutError(this.timeoutMs)), this.timeoutMs);
    const signal = outer ? AbortSignal.any([outer, timeout.signal]) : timeout.signal;
    try {
      const call = (this.yf.chart as (s: string, q: unknown, m: unknown) => Promise<unknown>).call(this.yf, symbol, query, {
        fetch: this.fetchFor(signal),
      });
      // Belt and braces: a custom fetch may ignore the signal; the race still returns on time.
      call.catch(() => {});
      return (await raceAbort(call, signal)) as ChartArrayResult;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The fetch handed to yahoo-finance2 for one attempt: base-URL rewrite, the signal, HTTP errors raised here. */
  private fetchFor(signal: AbortSignal): typeof fetch {
    const base = this.baseUrl;
    const inner = this.userFetch;
    return (async (input: string | URL | Request, init?: RequestInit) => {
      const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const url = base ? rewriteYahooUrl(raw, base) : raw;
      const f = inner ?? globalThis.fetch;
      const res = await f(url, { ...init, signal });
      if (!res.ok) {
        let body = '';
        try {
          body = await res.text();
        } catch {
          // the body is only for the message
        }
        throw new YahooHttpError(res.status, body, parseRetryAfter(res.headers.get('retry-after')), url);
      }
      // Check the shape yahoo-finance2 would otherwise complain about on stdout (it console.logs a
      // timestamp/quote count mismatch before throwing).
      const text = await res.text();
      checkChartShape(text);
      return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
    }) as typeof fetch;
  }

  private normalise(result: ChartArrayResult, interval: Interval, start: number, end: number): ProviderResult {
    const tz = result.meta?.exchangeTimezoneName;
    const offset = isFiniteNumber(result.meta?.gmtoffset) ? result.meta.gmtoffset : 0;
    const daily = isDailyOrLonger(interval);
    const timeOf = (d: Date): number => {
      const t = d instanceof Date ? d.getTime() : Number(d);
      return daily ? exchangeDateMs(t, tz, offset) : t;
    };
    const byTime = new Map<number, Bar>();
    let dropped = 0;
    for (const q of result.quotes ?? []) {
      const time = timeOf(q.date);
      if (!Number.isFinite(time) || time < start || time >= end) continue;
      const { open, high, low, close } = q;
      if (!isFiniteNumber(open) || !isFiniteNumber(high) || !isFiniteNumber(low) || !isFiniteNumber(close)) {
        dropped++;
        continue;
      }
      const bar: Bar = { time, open, high, low, close, volume: isFiniteNumber(q.volume) ? q.volume : 0 };
      if (isFiniteNumber(q.adjclose)) bar.adjClose = q.adjclose;
      // Yahoo sometimes repeats the last bar (the live one): the later entry wins.
      byTime.set(time, bar);
    }
    const bars = [...byTime.values()].sort((a, b) => a.time - b.time);
    this.counters.droppedBars += dropped;
    const out: ProviderResult = { bars, droppedBars: dropped };
    if (tz) out.exchangeTimezone = tz;
    const splits: Split[] = [];
    for (const s of result.events?.splits ?? []) {
      const time = timeOf(s.date);
      if (time >= start && time < end && isFiniteNumber(s.numerator) && isFiniteNumber(s.denominator) && s.numerator > 0 && s.denominator > 0) {
        splits.push({ time, numerator: s.numerator, denominator: s.denominator });
      }
    }
    const dividends: Dividend[] = [];
    for (const d of result.events?.dividends ?? []) {
      const time = timeOf(d.date);
      if (time >= start && time < end && isFiniteNumber(d.amount)) dividends.push({ time, amount: d.amount });
    }
    if (splits.length) out.splits = splits.sort((a, b) => a.time - b.time);
    if (dividends.length) out.dividends = dividends.sort((a, b) => a.time - b.time);
    return out;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Throws YahooBadResponseError when a chart's columns disagree with its timestamps. */
function checkChartShape(text: string): void {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new YahooBadResponseError(`Yahoo answered 200 with a body that is not JSON: ${text.slice(0, 120)}`);
  }
  const result = (json as { chart?: { result?: unknown } })?.chart?.result;
  if (!Array.isArray(result)) return; // error bodies and other shapes: yahoo-finance2 reports them
  const first = result[0] as { timestamp?: unknown; indicators?: { quote?: { high?: unknown }[] } } | undefined;
  const ts = first?.timestamp;
  const high = first?.indicators?.quote?.[0]?.high;
  if (Array.isArray(ts) && (!Array.isArray(high) || high.length !== ts.length)) {
    throw new YahooBadResponseError(`Yahoo's chart has ${ts.length} timestamps but ${Array.isArray(high) ? high.length : 'no'} quotes`);
  }
}
