/** What the shared tier did in this process: part of `stats().shared`. */
export interface SharedTierStats {
  /** Where it points, without credentials (e.g. `redis://10.0.0.5:6379`). */
  location: string;
  /** 'ok' while Redis answers; 'unavailable' after a fault, until it answers again. */
  status: 'ok' | 'unavailable';
  /** Ranges served from Redis / passed on to the provider. */
  hits: number;
  misses: number;
  /** Encoded bytes read from and written to Redis. */
  bytesRead: number;
  bytesWritten: number;
  /** Fills that waited for another worker's lease; waits that ran out. */
  leasesWaited: number;
  leaseTimeouts: number;
  /** Series published; publishes refused because the lease had passed to another worker. */
  publishes: number;
  fenced: number;
  /** Blocks or metas in Redis that failed their checksum (dropped there, refetched). */
  corrupt: number;
  /** Redis operations that failed (down, slow, full); the cache carried on without it. */
  faults: number;
  /** The last fault's message (no credentials) and when it happened. */
  lastFault?: { message: string; at: number };
}

export class SharedTierCounters {
  hits = 0;
  misses = 0;
  bytesRead = 0;
  bytesWritten = 0;
  leasesWaited = 0;
  leaseTimeouts = 0;
  publishes = 0;
  fenced = 0;
  corrupt = 0;
  faults = 0;
  #failing = false;
  #lastFault: { message: string; at: number } | undefined;

  /** Counts a fault; true when it is the first since Redis last worked (say so once). */
  recordFault(message: string, at: number): boolean {
    this.faults++;
    this.#lastFault = { message, at };
    const first = !this.#failing;
    this.#failing = true;
    return first;
  }

  /** Redis answered: the next fault is news again. */
  recordSuccess(): void {
    this.#failing = false;
  }

  snapshot(location: string): SharedTierStats {
    return {
      location,
      status: this.#failing ? 'unavailable' : 'ok',
      hits: this.hits,
      misses: this.misses,
      bytesRead: this.bytesRead,
      bytesWritten: this.bytesWritten,
      leasesWaited: this.leasesWaited,
      leaseTimeouts: this.leaseTimeouts,
      publishes: this.publishes,
      fenced: this.fenced,
      corrupt: this.corrupt,
      faults: this.faults,
      ...(this.#lastFault ? { lastFault: this.#lastFault } : {}),
    };
  }
}
