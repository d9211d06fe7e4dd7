/**
 * What one HTTP attempt against Yahoo can fail with, before the provider turns it into a
 * BarcacheError with a stable code (provider-errors.ts).
 */

/** An HTTP answer that was not OK, raised inside our fetch so yahoo-finance2 never prints it. */
export class YahooHttpError extends Error {
  override readonly name = 'YahooHttpError';
  constructor(
    readonly status: number,
    readonly body: string,
    /** The server's Retry-After, ms, when it sent one. */
    readonly retryAfterMs: number | undefined,
    readonly url: string,
  ) {
    super(`Yahoo answered HTTP ${status}${body ? `: ${body.slice(0, 200).trim()}` : ''}`);
  }
}

/** An attempt that took longer than its time-out. */
export class YahooTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`Yahoo did not answer within ${timeoutMs} ms`);
  }
}

/** A 200 answer that the cache cannot use (not a chart, malformed columns, another symbol's data). */
export class YahooBadResponseError extends Error {
  override readonly name = 'YahooBadResponseError';
}

/** The host could not be reached at all (DNS failure, connection refused, no route). Not worth a retry. */
export class YahooUnreachableError extends Error {
  override readonly name = 'YahooUnreachableError';
  constructor(
    /** The host (and port) the request went to. */
    readonly host: string,
    /** The system error code: ENOTFOUND, EAI_AGAIN, ECONNREFUSED, ENETUNREACH, EHOSTUNREACH. */
    readonly code: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${code} ${host}`, options);
  }
}
