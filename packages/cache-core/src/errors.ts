/**
 * Every failure Barcache reports on purpose is a `BarcacheError` with a stable `code`.
 * Messages may change between versions; codes do not. The underlying error, when there is one,
 * is kept as `cause`. Programmer mistakes that the type system should have caught (a missing
 * options object where one is required, say) may still throw a plain `TypeError`.
 */
export const ErrorCode = {
  /** A malformed symbol, date, range, interval or option. Nothing was fetched or changed. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** The interval is well-formed but not one the cache (or the provider) supports. */
  UNSUPPORTED_INTERVAL: 'UNSUPPORTED_INTERVAL',
  /** Offline mode and the request needs ranges nobody fetched; `details.missing` lists them. */
  OFFLINE_MISS: 'OFFLINE_MISS',
  /** The provider does not know the symbol (HTTP 404 / "No data found"). */
  UNKNOWN_SYMBOL: 'UNKNOWN_SYMBOL',
  /** The provider failed after retries (429, 5xx, time-out, network); `cause` has the last error. */
  PROVIDER_FAILED: 'PROVIDER_FAILED',
  /** The provider answered 429 and retries were exhausted (a PROVIDER_FAILED with a more precise code). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The provider did not answer in time (after retries). */
  PROVIDER_TIMEOUT: 'PROVIDER_TIMEOUT',
  /** The provider answered with something that is not a chart. */
  PROVIDER_BAD_RESPONSE: 'PROVIDER_BAD_RESPONSE',
  /** Another process holds the cache dir; `details.holder` names it. */
  LOCKED: 'LOCKED',
  /** A stored block failed its checksum. It was dropped and its range will be refetched. */
  CORRUPT_BLOCK: 'CORRUPT_BLOCK',
  /** The cache was used after `close()`. */
  CLOSED: 'CLOSED',
  /** A request or warm was cancelled through its AbortSignal. */
  ABORTED: 'ABORTED',
  /** A range that should hold bars holds none (e.g. a backtest range with no trading days). */
  NO_DATA: 'NO_DATA',
  /** The range is older than the provider serves for the interval (e.g. Yahoo's 1h bars: ~730 days); details.served is the span it does serve. */
  OUT_OF_PROVIDER_RANGE: 'OUT_OF_PROVIDER_RANGE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class BarcacheError extends Error {
  override readonly name = 'BarcacheError';
  readonly code: ErrorCode;
  /** Machine-readable facts about the failure (missing ranges, the lock holder, the symbol…). */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isBarcacheError(err: unknown, code?: ErrorCode): err is BarcacheError {
  return err instanceof BarcacheError && (code === undefined || err.code === code);
}

/** Shorthand for the most common error: bad input. */
export function invalidArgument(message: string, details?: Record<string, unknown>): BarcacheError {
  return new BarcacheError(ErrorCode.INVALID_ARGUMENT, message, details ? { details } : {});
}
