/**
 * How a failed provider request becomes a BarcacheError with a stable code. Pure: the clock is
 * an argument.
 */
import { BarcacheError, ErrorCode } from '../errors.js';
import type { RetryStop } from './retry-loop.js';
import { httpStatusOf, isTimeoutError, unreachableCodeOf } from './retry-policy.js';
import { YahooUnreachableError } from './yahoo-errors.js';

/** What every provider error names: the request. */
export interface RequestFacts {
  symbol: string;
  interval: string;
  start: number;
  end: number;
}

/** The one way to say a provider request was cancelled through its AbortSignal. */
export function abortedError(req: RequestFacts, cause: unknown, attempts: number): BarcacheError {
  return new BarcacheError(ErrorCode.ABORTED, `fetch of ${req.symbol} ${req.interval} aborted`, { cause, details: { ...req, attempts } });
}

function isNotFound(err: unknown): boolean {
  if (httpStatusOf(err) === 404) return true;
  const msg = err instanceof Error ? err.message : '';
  return /No data found|symbol may be delisted/i.test(msg);
}

function isBadResponse(err: unknown): boolean {
  const name = err instanceof Error ? err.name : '';
  const msg = err instanceof Error ? err.message : '';
  return name === 'YahooBadResponseError' || name === 'FailedYahooValidationError' || /Unexpected result|not parsable|Timestamp count mismatch/i.test(msg);
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
}

/** The BarcacheError for a request the retry loop gave up on. `timeoutMs` is the per-attempt time-out. */
export function providerFailure(stop: RetryStop, req: RequestFacts, opts: { timeoutMs: number; budgetMs: number; now: number }): BarcacheError {
  const err = stop.error;
  const attempts = stop.attempts;
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  const status = httpStatusOf(err);
  const details: Record<string, unknown> = { ...req, attempts, elapsedMs: stop.elapsedMs, ...(status === undefined ? {} : { status }) };
  const what = `${req.symbol} ${req.interval}`;
  const msg = err instanceof Error ? err.message : String(err);

  if (stop.reason === 'aborted') return abortedError(req, err, attempts);
  if (stop.rateLimit || status === 429) {
    const retryAt = stop.rateLimit?.retryAt ?? opts.now;
    const asked = stop.rateLimit?.askedMs;
    Object.assign(details, { status: 429, retryAt, ...(asked === undefined ? {} : { retryAfterMs: asked }) });
    const when = `${new Date(retryAt).toISOString()} (in ${seconds(Math.max(0, retryAt - opts.now))})`;
    const askedText = asked === undefined ? '' : `; Yahoo asked to wait ${seconds(asked)}`;
    return new BarcacheError(
      ErrorCode.RATE_LIMITED,
      `Yahoo is rate-limiting requests (HTTP 429${askedText}); ${what} ${attempts === 0 ? 'was not asked for' : `not fetched after ${tries}`}. Barcache asks Yahoo again at ${when}: try again then`,
      { cause: err, details },
    );
  }
  const unreachable = err instanceof YahooUnreachableError ? err : undefined;
  if (unreachable || unreachableCodeOf(err) !== undefined) {
    const host = unreachable?.host ?? 'the provider';
    const code = unreachable?.code ?? unreachableCodeOf(err);
    Object.assign(details, { host, code });
    const why = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'the host name does not resolve: no network, or DNS is down' : 'nothing answers there';
    return new BarcacheError(ErrorCode.PROVIDER_UNREACHABLE, `cannot reach Yahoo for ${what}: ${code} ${host} (${why}; not retried)`, { cause: err, details });
  }
  if (isNotFound(err)) {
    return new BarcacheError(ErrorCode.UNKNOWN_SYMBOL, `Yahoo does not know ${req.symbol} (no data found, symbol may be delisted)`, {
      cause: err,
      details: { ...details, status: status ?? 404 },
    });
  }
  const budget = stop.reason === 'budget' ? `, retry budget of ${seconds(opts.budgetMs)} spent` : '';
  if (isTimeoutError(err)) {
    return new BarcacheError(
      ErrorCode.PROVIDER_TIMEOUT,
      `Yahoo did not answer for ${what} (${tries} of at most ${seconds(opts.timeoutMs)} each in ${seconds(stop.elapsedMs)}${budget})`,
      { cause: err, details },
    );
  }
  if (isBadResponse(err)) {
    return new BarcacheError(ErrorCode.PROVIDER_BAD_RESPONSE, `Yahoo's answer for ${what} is not a usable chart: ${msg.slice(0, 300)}`, { cause: err, details });
  }
  return new BarcacheError(ErrorCode.PROVIDER_FAILED, `fetching ${what} from Yahoo failed after ${tries}${budget}: ${msg.slice(0, 300)}`, { cause: err, details });
}
