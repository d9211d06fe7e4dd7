/**
 * When and how long to retry a provider call. Pure: no I/O, no clock unless passed in, the
 * random source injectable, so it is tested exhaustively.
 */

export interface BackoffOptions {
  /** The cap of the first retry's delay, ms. */
  baseDelayMs: number;
  /** No computed delay exceeds this, ms. */
  maxDelayMs: number;
}

export interface RetryOptions extends BackoffOptions {
  /** Retries after the first attempt (so at most `retries + 1` attempts). */
  retries: number;
  /** The longest Retry-After honoured, ms (a longer one is cut to this). Default 60 000. */
  maxRetryAfterMs?: number;
}

/** The longest delay setTimeout honours (2^31 − 1 ms); longer ones would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

export const DEFAULT_RETRY: Readonly<Required<RetryOptions>> = Object.freeze({
  retries: 4,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
});

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(maxDelayMs, baseDelayMs·2^(attempt−1))).
 * `attempt` is the 1-based number of the retry about to happen. Always a finite integer >= 0.
 */
export function backoffDelayMs(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.max(0, Number.isFinite(opts.baseDelayMs) ? opts.baseDelayMs : 0);
  const max = Math.max(0, Number.isNaN(opts.maxDelayMs) ? base : opts.maxDelayMs);
  const n = Math.max(1, Math.floor(Number.isFinite(attempt) ? attempt : 1));
  // 2^(n-1) overflows to Infinity for huge n; min() keeps it at max, and at what setTimeout can wait.
  const cap = Math.min(max, base * 2 ** Math.min(n - 1, 1023), MAX_TIMER_MS);
  let r = random();
  if (!(r >= 0)) r = 0;
  if (r >= 1) r = 0.999_999_999;
  return Math.floor(r * cap);
}

/**
 * Parses an HTTP Retry-After value (delay-seconds or an HTTP-date) into ms from `now`.
 * Undefined when absent or unparsable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const s = value.trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  // An HTTP-date starts with a day name ('Sun, 06 Nov 1994 08:49:37 GMT'); Date.parse alone would
  // take '-5' for the year −5.
  if (!/^[A-Za-z]{3}/.test(s)) return undefined;
  const t = Date.parse(s);
  if (!Number.isFinite(t)) return undefined;
  return Math.max(0, t - now);
}

/**
 * Transport failures that say the host cannot be reached at all: DNS has no answer (ENOTFOUND,
 * EAI_AGAIN: what a machine without network sees), nothing listens (ECONNREFUSED), no route.
 * Retrying them within a request only delays the error, so they are not retried.
 */
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH']);

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

function prop(err: unknown, key: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[key] : undefined;
}

/** The HTTP status an error carries (`status`, `statusCode`, or yahoo-finance2's numeric `code`). */
export function httpStatusOf(err: unknown): number | undefined {
  for (const key of ['status', 'statusCode', 'code']) {
    const v = prop(err, key);
    if (typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599) return v;
  }
  const response = prop(err, 'response');
  const s = prop(response, 'status');
  return typeof s === 'number' ? s : undefined;
}

/** A time-out (ours: name 'TimeoutError'; undici's header/body/connect time-outs; ETIMEDOUT). */
export function isTimeoutError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = prop(e, 'cause'), depth++) {
    if (prop(e, 'name') === 'TimeoutError') return true;
    const code = prop(e, 'code');
    if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return true;
  }
  return false;
}

/**
 * The system error code when `err` (or one of its causes) says the host cannot be reached
 * (ENOTFOUND, EAI_AGAIN, ECONNREFUSED, ENETUNREACH, EHOSTUNREACH); undefined otherwise.
 */
export function unreachableCodeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = prop(e, 'cause'), depth++) {
    const code = prop(e, 'code');
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return code;
  }
  return undefined;
}

/**
 * A transient transport failure (connection reset, socket closed, undici's time-outs), looking
 * through `cause`. Unreachable hosts (unreachableCodeOf) are not transient.
 */
export function isNetworkError(err: unknown): boolean {
  if (unreachableCodeOf(err) !== undefined) return false;
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = prop(e, 'cause'), depth++) {
    const code = prop(e, 'code');
    if (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code)) return true;
    // undici: TypeError('fetch failed') with the socket error as cause.
    if (prop(e, 'name') === 'TypeError' && prop(e, 'message') === 'fetch failed') return true;
  }
  return false;
}

/**
 * Worth another attempt: HTTP 408, 425, 429 and 5xx (but not 501), time-outs and transient
 * network errors. Not: 404 / "No data found", 400, other 4xx, result validation failures, a
 * caller's abort (AbortError), an unreachable host (DNS failure, connection refused), or anything
 * unrecognised.
 */
export function isRetryable(err: unknown): boolean {
  if (prop(err, 'name') === 'AbortError') return false;
  if (unreachableCodeOf(err) !== undefined) return false;
  const status = httpStatusOf(err);
  if (status !== undefined) return status === 408 || status === 425 || status === 429 || (status >= 500 && status !== 501);
  if (isTimeoutError(err)) return true;
  if (isNetworkError(err)) return true;
  return false;
}

/** The server's requested wait, ms: `retryAfterMs` on the error, or a Retry-After header on it or its response. */
export function retryAfterOf(err: unknown, now: number = Date.now()): number | undefined {
  const direct = prop(err, 'retryAfterMs');
  if (typeof direct === 'number' && Number.isFinite(direct) && direct >= 0) return direct;
  for (const holder of [err, prop(err, 'response')]) {
    const headers = prop(holder, 'headers');
    if (headers && typeof (headers as Headers).get === 'function') {
      const v = parseRetryAfter((headers as Headers).get('retry-after'), now);
      if (v !== undefined) return v;
    } else if (headers && typeof headers === 'object') {
      const raw = (headers as Record<string, unknown>)['retry-after'] ?? (headers as Record<string, unknown>)['Retry-After'];
      const v = typeof raw === 'string' ? parseRetryAfter(raw, now) : undefined;
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/**
 * The wait before retry number `attempt` (1-based) after `err`: the server's Retry-After when it
 * gave one (cut to maxRetryAfterMs), else backoffDelayMs.
 */
export function retryDelayMs(err: unknown, attempt: number, opts: RetryOptions, random: () => number = Math.random, now: number = Date.now()): number {
  const after = retryAfterOf(err, now);
  if (after !== undefined) return Math.min(after, opts.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs, MAX_TIMER_MS);
  return backoffDelayMs(attempt, opts, random);
}
