import { BarcacheError, ErrorCode } from '../../../errors.js';

interface Holder {
  /** Who holds it: a connection id, or 'local' for the leader's own process. */
  owner: string;
  /** The holder's handle for this grant (unique per owner). */
  key: string;
  token: number;
}

interface Waiter extends Holder {
  grant: (token: number) => void;
  reject: (err: Error) => void;
}

/**
 * The fill leases the leader grants: one holder per series id at a time, FIFO, among every
 * process using the dir. A lease whose owner disconnects is released (`releaseOwner`). Tokens are
 * fencing tokens: they grow with every grant, and start above any token an earlier leader of the
 * dir could have granted (they are seeded from the clock, in µs).
 */
export class LeaderLeases {
  readonly #slots = new Map<string, { holder: Holder; queue: Waiter[] }>();
  #lastToken: number;

  constructor(now: () => number = Date.now) {
    this.#lastToken = now() * 1000;
  }

  /** Resolves with the token once `owner`/`key` holds the lease on `id`. */
  acquire(id: string, owner: string, key: string): Promise<number> {
    const slot = this.#slots.get(id);
    if (slot === undefined) {
      const token = ++this.#lastToken;
      this.#slots.set(id, { holder: { owner, key, token }, queue: [] });
      return Promise.resolve(token);
    }
    return new Promise<number>((grant, reject) => slot.queue.push({ owner, key, token: 0, grant, reject }));
  }

  /** Releases a held lease or withdraws a waiting request (which then rejects with ABORTED). Idempotent. */
  release(owner: string, key: string): void {
    for (const [id, slot] of this.#slots) {
      if (slot.holder.owner === owner && slot.holder.key === key) {
        this.#next(id, slot);
        return;
      }
      const i = slot.queue.findIndex((w) => w.owner === owner && w.key === key);
      if (i >= 0) {
        const [w] = slot.queue.splice(i, 1);
        w!.reject(new BarcacheError(ErrorCode.ABORTED, `waiting for the fill lease on ${id} was cancelled`, { details: { id } }));
        return;
      }
    }
  }

  /** Releases everything `owner` holds and drops its waiting requests (its connection closed). */
  releaseOwner(owner: string, reason: () => Error): void {
    for (const [id, slot] of [...this.#slots]) {
      const dropped = slot.queue.filter((w) => w.owner === owner);
      slot.queue = slot.queue.filter((w) => w.owner !== owner);
      for (const w of dropped) w.reject(reason());
      if (slot.holder.owner === owner) this.#next(id, slot);
    }
  }

  /** Rejects every waiting request (the leader is closing). Held leases stay until released. */
  rejectWaiting(reason: () => Error): void {
    for (const slot of this.#slots.values()) for (const w of slot.queue.splice(0)) w.reject(reason());
  }

  /** Whether `token` is the current grant of `id`'s lease. */
  isCurrent(id: string, token: number): boolean {
    return this.#slots.get(id)?.holder.token === token;
  }

  #next(id: string, slot: { holder: Holder; queue: Waiter[] }): void {
    const next = slot.queue.shift();
    if (next === undefined) {
      this.#slots.delete(id);
      return;
    }
    const token = ++this.#lastToken;
    slot.holder = { owner: next.owner, key: next.key, token };
    next.grant(token);
  }
}
