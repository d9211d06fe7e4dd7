import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_RETRY,
  MAX_TIMER_MS,
  backoffDelayMs,
  httpStatusOf,
  isNetworkError,
  unreachableCodeOf,
  isRetryable,
  isTimeoutError,
  parseRetryAfter,
  retryAfterOf,
  retryDelayMs,
} from '../src/provider/retry-policy.js';

const opts = { baseDelayMs: 500, maxDelayMs: 8000 };

describe('backoffDelayMs (exponential, full jitter)', () => {
  it('caps grow 500, 1000, 2000, 4000, 8000, 8000… (random → 1⁻ gives just under the cap)', () => {
    const top = () => 0.999_999_999_9;
    expect([1, 2, 3, 4, 5, 6, 50].map((a) => backoffDelayMs(a, opts, top))).toEqual([499, 999, 1999, 3999, 7999, 7999, 7999]);
  });

  it('random 0 gives 0; 0.5 gives half the cap', () => {
    expect(backoffDelayMs(3, opts, () => 0)).toBe(0);
    expect(backoffDelayMs(3, opts, () => 0.5)).toBe(1000);
  });

  it('is always an integer in [0, min(max, base·2^(n−1))) for any attempt and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, base, max, r) => {
          const v = backoffDelayMs(attempt, { baseDelayMs: base, maxDelayMs: max }, () => r);
          const cap = Math.min(max, base * 2 ** Math.min(attempt - 1, 1023), MAX_TIMER_MS);
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(cap);
          if (cap > 0) expect(v).toBeLessThan(cap);
        },
      ),
    );
  });

  it('the cap never decreases with the attempt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (a) => {
        const hi = () => 0.999_999;
        expect(backoffDelayMs(a + 1, opts, hi)).toBeGreaterThanOrEqual(backoffDelayMs(a, opts, hi));
      }),
    );
  });

  it('survives nonsense input (attempt 0/NaN, random out of range, NaN options)', () => {
    expect(backoffDelayMs(0, opts, () => 0.5)).toBe(250);
    expect(backoffDelayMs(Number.NaN, opts, () => 0.5)).toBe(250);
    expect(backoffDelayMs(2, opts, () => 1)).toBe(999);
    expect(backoffDelayMs(2, opts, () => -3)).toBe(0);
    expect(backoffDelayMs(2, opts, () => Number.NaN)).toBe(0);
    expect(backoffDelayMs(2, { baseDelayMs: Number.NaN, maxDelayMs: 100 }, () => 0.5)).toBe(0);
    expect(backoffDelayMs(2, { baseDelayMs: 100, maxDelayMs: Infinity }, () => 0.5)).toBe(100);
  });

  it('defaults: 4 retries, 500 ms doubling to 8000 ms', () => {
    expect(DEFAULT_RETRY).toMatchObject({ retries: 4, baseDelayMs: 500, maxDelayMs: 8000 });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  it('reads delay-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Sun, 31 Dec 2023 23:59:00 GMT', now)).toBe(0);
  });
  it('ignores absent or junk values', () => {
    for (const v of [null, undefined, '', '  ', 'soon', '-5', 'NaN']) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

const httpError = (status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error(`HTTP ${status}`), { status, ...extra });

describe('isRetryable', () => {
  it('retries 408, 425, 429 and 5xx except 501', () => {
    for (const s of [408, 425, 429, 500, 502, 503, 504, 599]) expect(isRetryable(httpError(s))).toBe(true);
    for (const s of [400, 401, 403, 404, 410, 422, 501]) expect(isRetryable(httpError(s))).toBe(false);
  });

  it('reads yahoo-finance2 HTTPError (numeric code), statusCode and response.status', () => {
    expect(isRetryable(Object.assign(new Error('x'), { name: 'HTTPError', code: 429 }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { statusCode: 503 }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { response: { status: 502 } }))).toBe(true);
    expect(httpStatusOf(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeUndefined();
  });

  it('retries time-outs and network errors, looking through cause', () => {
    const timeout = Object.assign(new Error('t'), { name: 'TimeoutError' });
    expect(isTimeoutError(timeout)).toBe(true);
    expect(isRetryable(timeout)).toBe(true);
    expect(isRetryable(new DOMException('timed out', 'TimeoutError'))).toBe(true);
    const undici = new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    expect(isNetworkError(undici)).toBe(true);
    expect(isRetryable(undici)).toBe(true);
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT']) {
      expect(isRetryable(Object.assign(new Error(code), { code }))).toBe(true);
    }
    expect(isTimeoutError(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'UND_ERR_BODY_TIMEOUT' }) }))).toBe(true);
  });

  it('does not retry an unreachable host (DNS failure, connection refused, no route), and names its code', () => {
    for (const code of ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH']) {
      const undici = new TypeError('fetch failed', { cause: Object.assign(new Error(`getaddrinfo ${code} example.invalid`), { code }) });
      expect(isRetryable(undici)).toBe(false);
      expect(isNetworkError(undici)).toBe(false);
      expect(unreachableCodeOf(undici)).toBe(code);
    }
    expect(unreachableCodeOf(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeUndefined();
    expect(unreachableCodeOf(undefined)).toBeUndefined();
  });

  it('does not retry 404/no data, validation failures, aborts or unknown errors', () => {
    expect(isRetryable(new Error('No data found, symbol may be delisted'))).toBe(false);
    expect(isRetryable(Object.assign(new Error('bad'), { name: 'FailedYahooValidationError' }))).toBe(false);
    expect(isRetryable(Object.assign(new Error('bad'), { name: 'BadRequestError' }))).toBe(false);
    expect(isRetryable(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(isRetryable(Object.assign(new Error('x'), { name: 'AbortError', status: 503 }))).toBe(false);
    expect(isRetryable(new TypeError('x is not a function'))).toBe(false);
    for (const v of [undefined, null, 'string', 42, {}]) expect(isRetryable(v)).toBe(false);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        expect(typeof isRetryable(v)).toBe('boolean');
      }),
    );
  });
});

describe('retryAfterOf / retryDelayMs', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  const retry = { ...opts, retries: 4 };

  it('takes retryAfterMs, a Headers object, or a plain headers record', () => {
    expect(retryAfterOf(httpError(429, { retryAfterMs: 1234 }), now)).toBe(1234);
    expect(retryAfterOf(httpError(429, { headers: new Headers({ 'retry-after': '2' }) }), now)).toBe(2000);
    expect(retryAfterOf(httpError(429, { response: { headers: new Headers({ 'Retry-After': '3' }) } }), now)).toBe(3000);
    expect(retryAfterOf(httpError(429, { headers: { 'retry-after': '4' } }), now)).toBe(4000);
    expect(retryAfterOf(httpError(429), now)).toBeUndefined();
  });

  it('honours Retry-After over the backoff, cut to maxRetryAfterMs', () => {
    expect(retryDelayMs(httpError(429, { retryAfterMs: 3000 }), 1, retry, () => 0.5, now)).toBe(3000);
    expect(retryDelayMs(httpError(429, { retryAfterMs: 0 }), 4, retry, () => 0.5, now)).toBe(0);
    expect(retryDelayMs(httpError(429, { retryAfterMs: 600_000 }), 1, retry, () => 0.5, now)).toBe(60_000);
    expect(retryDelayMs(httpError(429, { retryAfterMs: 600_000 }), 1, { ...retry, maxRetryAfterMs: 5000 }, () => 0.5, now)).toBe(5000);
  });

  it('falls back to the jittered backoff', () => {
    expect(retryDelayMs(httpError(503), 2, retry, () => 0.5, now)).toBe(500);
  });
});

describe('delays stay within what setTimeout can wait', () => {
  it('caps at 2^31 − 1 ms even with no configured maximum', () => {
    expect(backoffDelayMs(80, { baseDelayMs: 1000, maxDelayMs: Infinity }, () => 0.999)).toBeLessThanOrEqual(MAX_TIMER_MS);
    expect(retryDelayMs(Object.assign(new Error('x'), { status: 429, retryAfterMs: 1e15 }), 1, { baseDelayMs: 1, maxDelayMs: 1, retries: 1, maxRetryAfterMs: Infinity })).toBe(MAX_TIMER_MS);
  });
});
