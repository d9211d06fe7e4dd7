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
  /**
   * The provider answered 429 and its cooldown outlasts the request's retry budget (or retries ran
   * out). `details.retryAt` (epoch ms) says when Barcache will ask the provider again.
   */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The provider did not answer in time (after retries). */
  PROVIDER_TIMEOUT: 'PROVIDER_TIMEOUT',
  /** The provider answered with something that is not a chart (or a chart of another symbol). */
  PROVIDER_BAD_RESPONSE: 'PROVIDER_BAD_RESPONSE',
  /**
   * The provider's host cannot be reached at all (DNS failure, connection refused, no route): not
   * retried. `details.host` names the host, the message the system error (`ENOTFOUND <host>`).
   */
  PROVIDER_UNREACHABLE: 'PROVIDER_UNREACHABLE',
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
  /**
   * The provider cannot serve the range: older than its history window for the interval
   * (`limits.maxAgeMs`), entirely in the future, or before the symbol's first trade.
   * `details.served` is the span the provider does serve ({ start, end }, half-open epoch ms);
   * whatever part of the request lay inside it was fetched and stored.
   */
  OUT_OF_PROVIDER_RANGE: 'OUT_OF_PROVIDER_RANGE',
  /** The leader process serving the cache dir stopped answering (hung, not dead); `details.pid` names it. */
  LEADER_UNRESPONSIVE: 'LEADER_UNRESPONSIVE',
  /** The process leading the cache dir speaks another store protocol; `details.ours` and `details.theirs` name both versions. */
  PROTOCOL_MISMATCH: 'PROTOCOL_MISMATCH',
  /** The cache dir is on a filesystem the cache cannot share safely (a network mount); `details.filesystem` names it. */
  UNSUPPORTED_FILESYSTEM: 'UNSUPPORTED_FILESYSTEM',
  /** A commit carried a fill-lease token that is no longer the series' current one (the lease was released and granted again). Nothing was written. */
  LEASE_LOST: 'LEASE_LOST',
  /**
   * A price file that cannot be imported (a missing column, a bad number, unsorted or duplicate
   * times, mixed time zones…); `details.file` and `details.line` (1-based, as an editor counts)
   * say where. Nothing from the file was stored.
   */
  INVALID_FILE: 'INVALID_FILE',
  /** A read-only command (ls, stats, explain) was pointed at a dir that holds no cache; `details.dir`. */
  NO_CACHE: 'NO_CACHE',
  /**
   * The cache database will not open (or a table file is damaged); `details.dir` names the cache
   * dir. Nothing was deleted: `barcache repair` / openCache({ repair: true }) is the way out.
   */
  STORE_CORRUPT: 'STORE_CORRUPT',
  /** The disk holding the cache is full; `details.path`. Nothing stored was lost; reads still work. */
  DISK_FULL: 'DISK_FULL',
  /**
   * The cache dir cannot be written (read-only, no rights, or a file in its place), or a folder is
   * not private enough to hold the leader's socket; `details.path` names it.
   */
  PERMISSION_DENIED: 'PERMISSION_DENIED',
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
