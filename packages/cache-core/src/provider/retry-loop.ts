/**
 * The retry loop of one provider request: attempts until one succeeds, an error is final, the
 * retries run out, or the request's total budget would be overrun. 429s go through the
 * provider-wide RateLimitGate (one cooldown for every symbol) instead of a per-request backoff.
 * The policy (what is retryable, how long to back off) is retry-policy.ts; this file only runs it.
 */
import { RateLimitedUntil, type RateLimitGate } from './rate-limit-gate.js';
import { httpStatusOf, isRetryable, isTimeoutError, retryAfterOf, retryDelayMs, type RetryOptions } from './retry-policy.js';

export interface RetryLoopOptions {
  retry: Required<RetryOptions>;
  /** The most this request may take from the first attempt to the last error, ms. */
  budgetMs: number;
  /**
   * No attempt starts with less of the budget left than this, ms: a cooldown ending later than
   * `deadline − minAttemptMs` refuses the request at once (an attempt needs time to answer).
   */
  minAttemptMs: number;
  gate: RateLimitGate;
  /** Must reject when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  now: () => number;
  signal?: AbortSignal | undefined;
  /** Called before each retry. `delayMs` is the backoff, or what is left of the provider's cooldown. */
  onRetry?: ((info: { attempt: number; delayMs: number; error: unknown }) => void) | undefined;
}

/** Why the loop gave up. */
export type RetryStopReason =
  /** The caller's signal aborted. */
  | 'aborted'
  /** The error is not worth a retry, or the retries ran out. */
  | 'final'
  /** The provider is rate-limited beyond this request's budget (or the retries ran out on 429s). */
  | 'rate-limited'
  /** The next backoff would overrun the budget. */
  | 'budget';

/** The loop's final word: the last error, how many attempts were made, and why it stopped. */
export class RetryStop extends Error {
  override readonly name = 'RetryStop';
  constructor(
    readonly reason: RetryStopReason,
    readonly error: unknown,
    readonly attempts: number,
    readonly elapsedMs: number,
    /** For 'rate-limited': when the provider will be asked again (epoch ms) and what the server asked (ms). */
    readonly rateLimit?: { retryAt: number; askedMs: number | undefined },
  ) {
    super(`${reason} after ${attempts} attempt(s)`, { cause: error });
  }
}

/**
 * Runs `attempt` (given the request's deadline, epoch ms) with retries. Resolves with its value and
 * the number of attempts; rejects with a RetryStop only.
 */
export async function withRetries<T>(attempt: (deadline: number) => Promise<T>, o: RetryLoopOptions): Promise<{ value: T; attempts: number }> {
  const started = o.now();
  const deadline = started + o.budgetMs;
  let attempts = 0;
  let lastError: unknown;
  let rateLimited = false;
  const stop = (reason: RetryStopReason, error: unknown, rateLimit?: { retryAt: number; askedMs: number | undefined }) => {
    // A request that met 429s and then ran out of budget (its last attempt cut short by the
    // budget, say) failed because of the rate limit: say so, and when to try again.
    if (!rateLimit && rateLimited && (reason === 'budget' || isTimeoutError(error))) {
      rateLimit = { retryAt: o.gate.retryAt ?? o.now(), askedMs: o.gate.askedMs };
    }
    return new RetryStop(reason, error, attempts, o.now() - started, rateLimit);
  };

  for (;;) {
    let ticket;
    try {
      ticket = await o.gate.enter(deadline - o.minAttemptMs, o.signal, attempts === 0);
      if (ticket.throttled) rateLimited = true;
    } catch (err) {
      if (o.signal?.aborted) throw stop('aborted', o.signal.reason ?? err);
      if (err instanceof RateLimitedUntil) throw stop('rate-limited', lastError ?? err, { retryAt: err.retryAt, askedMs: err.askedMs });
      throw stop('final', err);
    }
    attempts++;
    let error: unknown;
    try {
      const value = await attempt(deadline);
      ticket.done('ok');
      return { value, attempts };
    } catch (err) {
      error = err;
      lastError = err;
    }
    if (o.signal?.aborted) {
      ticket.done('other');
      throw stop('aborted', o.signal.reason ?? error);
    }
    if (httpStatusOf(error) === 429) {
      rateLimited = true;
      ticket.done('limited', retryAfterOf(error));
      if (attempts > o.retry.retries) {
        throw stop('rate-limited', error, { retryAt: o.gate.retryAt ?? o.now(), askedMs: o.gate.askedMs });
      }
      // The gate makes the next attempt wait for the provider's cooldown, or refuses it at once
      // when the cooldown outlasts the budget.
      o.onRetry?.({ attempt: attempts, delayMs: Math.max(0, (o.gate.retryAt ?? 0) - o.now()), error });
      continue;
    }
    ticket.done('other');
    if (!isRetryable(error) || attempts > o.retry.retries) throw stop('final', error);
    // A 503's Retry-After is honoured (capped) too; else backoff with full jitter.
    const delayMs = retryDelayMs(error, attempts, o.retry, o.random, o.now());
    if (o.now() + delayMs >= deadline) throw stop('budget', error);
    o.onRetry?.({ attempt: attempts, delayMs, error });
    try {
      await o.sleep(delayMs, o.signal);
    } catch (sleepErr) {
      throw stop('aborted', o.signal?.reason ?? sleepErr);
    }
  }
}
