/**
 * One cooldown for the whole provider. A 429 for any symbol pauses every request of the provider
 * until the cooldown ends; then a single request goes first (a probe) and the others wait for its
 * outcome, so a storm of 429s costs one request per cooldown instead of one per symbol. Repeated
 * 429s lengthen the cooldown (doubling from `baseDelayMs`, never shorter than the server's
 * Retry-After, never longer than `maxCooldownMs`). A request whose deadline falls before the
 * cooldown ends is refused at once (RateLimitedUntil), so nobody waits for nothing; so is a new
 * request during a cooldown once the storm is established (STORM_STRIKES 429s in a row).
 */

import { MAX_TIMER_MS } from './retry-policy.js';

/** Thrown by `enter` when the cooldown outlasts the caller's deadline. */
export class RateLimitedUntil extends Error {
  override readonly name = 'RateLimitedUntil';
  constructor(
    /** When the provider will be asked again, epoch ms. */
    readonly retryAt: number,
    /** What the server last asked for (Retry-After), ms, when it said. */
    readonly askedMs: number | undefined,
  ) {
    super(`rate-limited until ${new Date(retryAt).toISOString()}`);
  }
}

export interface RateLimitGateOptions {
  /** The first cooldown when the server gives no Retry-After, ms. */
  baseDelayMs: number;
  /** The longest cooldown, whatever Retry-After says, ms. */
  maxCooldownMs: number;
  now?: () => number;
  /** Must reject when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A pass through the gate; report how the request went with `done`. */
export interface GateTicket {
  /** The request waited for a cooldown or a probe, or is the probe: it is being rate-limited. */
  readonly throttled: boolean;
  /** 'limited': the answer was a 429 (with the server's Retry-After, ms, if any). */
  done(outcome: 'ok' | 'limited' | 'other', retryAfterMs?: number): void;
}

/** 429s in a row (one per cooldown) after which new requests are refused during a cooldown. */
export const STORM_STRIKES = 3;

interface Probe {
  promise: Promise<void>;
  settle(): void;
}

export class RateLimitGate {
  #until = 0;
  /** 429s in a row, counting one per cooldown (simultaneous 429s are one strike). */
  #strikes = 0;
  /** Bumped each time a cooldown starts; a 429 from a request sent before it is not a new strike. */
  #epoch = 0;
  #askedMs: number | undefined;
  #probe: Probe | undefined;
  readonly #opts: RateLimitGateOptions;
  readonly #now: () => number;

  constructor(options: RateLimitGateOptions) {
    this.#opts = { ...options, maxCooldownMs: Math.min(options.maxCooldownMs, MAX_TIMER_MS) };
    this.#now = options.now ?? Date.now;
  }

  /** The end of the current cooldown (epoch ms), or undefined when requests may go. */
  get retryAt(): number | undefined {
    return this.#until > this.#now() ? this.#until : undefined;
  }

  /** What the server last asked for with Retry-After, ms. */
  get askedMs(): number | undefined {
    return this.#askedMs;
  }

  /**
   * Resolves when this request may be sent. Rejects with RateLimitedUntil when the cooldown ends
   * after `deadline` (epoch ms), or, for a request not yet sent (`fresh`), when a storm is
   * established (STORM_STRIKES 429s in a row) and a cooldown is in force: the requests already
   * waiting probe the storm, new ones learn at once when to come back. Rejects with the signal's
   * reason when it aborts.
   */
  async enter(deadline: number, signal?: AbortSignal, fresh = false): Promise<GateTicket> {
    let served = Number.NaN;
    let throttled = false;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const now = this.#now();
      const until = this.#until;
      if (until > now && until !== served) {
        if (until > deadline || (fresh && this.#strikes >= STORM_STRIKES)) throw new RateLimitedUntil(until, this.#askedMs);
        // Waited for once (an injected sleep may return early: it still counts as served).
        served = until;
        throttled = true;
        await this.#opts.sleep(until - now, signal);
        continue;
      }
      if (this.#strikes > 0) {
        // After a cooldown, one request probes; the others wait for its outcome.
        const probe = this.#probe;
        if (probe) {
          throttled = true;
          await this.#waitFor(probe.promise, deadline, signal);
          continue;
        }
        return this.#ticket(this.#startProbe(), true);
      }
      return this.#ticket(undefined, throttled);
    }
  }

  #startProbe(): Probe {
    let settle!: () => void;
    const promise = new Promise<void>((resolve) => (settle = resolve));
    const probe: Probe = { promise, settle };
    this.#probe = probe;
    return probe;
  }

  #ticket(probe: Probe | undefined, throttled: boolean): GateTicket {
    const epoch = this.#epoch;
    let used = false;
    return {
      throttled,
      done: (outcome, retryAfterMs) => {
        if (used) return;
        used = true;
        if (outcome === 'ok') this.#strikes = 0;
        else if (outcome === 'limited') this.#limited(epoch, retryAfterMs);
        if (probe && this.#probe === probe) this.#probe = undefined;
        probe?.settle();
      },
    };
  }

  #limited(epoch: number, retryAfterMs: number | undefined): void {
    const now = this.#now();
    if (retryAfterMs !== undefined) this.#askedMs = retryAfterMs;
    const asked = Math.min(retryAfterMs ?? 0, this.#opts.maxCooldownMs);
    if (epoch !== this.#epoch && this.#until > now) {
      // Sent before the current cooldown began: the same storm, not a new strike.
      this.#until = Math.max(this.#until, now + asked);
      return;
    }
    this.#strikes++;
    this.#epoch++;
    const backoff = this.#opts.baseDelayMs * 2 ** Math.min(this.#strikes - 1, 30);
    const cooldown = Math.min(this.#opts.maxCooldownMs, Math.max(asked, backoff));
    this.#until = Math.max(this.#until, now + cooldown);
  }

  /** Waits for `p`, but not past `deadline` (then RateLimitedUntil) nor an abort. */
  async #waitFor(p: Promise<void>, deadline: number, signal?: AbortSignal): Promise<void> {
    const left = deadline - this.#now();
    if (left <= 0) throw new RateLimitedUntil(Math.max(this.#until, deadline), this.#askedMs);
    const ac = new AbortController();
    const onAbort = () => ac.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const timedOut = await Promise.race([
        p.then(() => false),
        this.#opts.sleep(Math.min(left, MAX_TIMER_MS), ac.signal).then(
          () => true,
          () => false,
        ),
      ]);
      if (signal?.aborted) throw signal.reason;
      const now = this.#now();
      // (An injected sleep may return early: only a deadline really passed counts.)
      if (timedOut && now >= deadline && this.#probe?.promise === p) throw new RateLimitedUntil(Math.max(this.#until, now), this.#askedMs);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      ac.abort();
    }
  }
}
