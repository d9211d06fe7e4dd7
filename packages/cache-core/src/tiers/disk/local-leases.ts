import { BarcacheError, ErrorCode } from '../../errors.js';
import type { SeriesLease } from './bar-store.js';

interface Waiter {
  grant: () => void;
}

/**
 * Fill leases for a store used by one process: a FIFO queue per series id. The holder's `release()`
 * hands the lease to the next waiter. Tokens grow with every grant of an id (fencing tokens).
 */
export class LocalLeases {
  readonly #held = new Map<string, { token: number; queue: Waiter[] }>();
  readonly #tokens = new Map<string, number>();

  acquire(id: string, signal?: AbortSignal): Promise<SeriesLease> {
    if (signal?.aborted) return Promise.reject(abortedError(id));
    const slot = this.#held.get(id);
    if (slot === undefined) {
      this.#held.set(id, { token: 0, queue: [] });
      return Promise.resolve(this.#grant(id));
    }
    return new Promise<SeriesLease>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.#grant(id));
        },
      };
      const onAbort = () => {
        const i = slot.queue.indexOf(waiter);
        if (i >= 0) slot.queue.splice(i, 1);
        reject(abortedError(id));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      slot.queue.push(waiter);
    });
  }

  /** Ids whose lease is held or awaited. */
  busy(id: string): boolean {
    return this.#held.has(id);
  }

  #grant(id: string): SeriesLease {
    const token = (this.#tokens.get(id) ?? 0) + 1;
    this.#tokens.set(id, token);
    this.#held.get(id)!.token = token;
    let released = false;
    return {
      token,
      release: async () => {
        if (released) return;
        released = true;
        const slot = this.#held.get(id);
        if (slot === undefined) return;
        const next = slot.queue.shift();
        if (next === undefined) this.#held.delete(id);
        else next.grant();
      },
    };
  }
}

function abortedError(id: string): BarcacheError {
  return new BarcacheError(ErrorCode.ABORTED, `waiting for the fill lease on ${id} was cancelled`, { details: { id } });
}
