import { availableParallelism } from 'node:os';
import { PageToucher } from './page-toucher.js';

/**
 * Below this many bytes a load is not worth a worker thread: starting one costs ~3 ms of the
 * loading thread and ~45 ms of another core; 8 MiB of columns take ~20 ms of page faults.
 */
export const PREFAULT_MIN_BYTES = 8 * 2 ** 20;

/** What a reservation hands back: release it when the load is over (unclaimed buffers are dropped). */
export interface PrefaultLease {
  /** How many buffers were reserved (0: the load was too small, or no worker could start). */
  readonly buffers: number;
  /** Resolves when the worker has touched every reserved buffer (for tests and benchmarks). */
  readonly touched: Promise<void>;
  release(): void;
}

const NO_LEASE: PrefaultLease = { buffers: 0, touched: Promise.resolve(), release: () => {} };

/**
 * One cache's column buffers, allocated ahead of a bulk load and pre-faulted by a PageToucher,
 * handed out by exact byte size in the order they were reserved (the order the load will ask for
 * them). The cache's reads pass `readOptions` to the store, so only its own loads take them (a
 * cache opened with `prefault: false` has none); a read that finds no buffer of its size
 * allocates afresh, so a wrong prediction costs speed, never correctness.
 */
export class PrefaultedBuffers {
  readonly #bySize = new Map<number, SharedArrayBuffer[]>();
  #leases = 0;
  #toucher: PageToucher | undefined;
  readonly #startToucher: () => PageToucher | undefined;
  readonly #cores: number;

  /** `cores`: with one, the worker would only take time from the loader, so nothing is reserved. */
  constructor(startToucher: () => PageToucher | undefined = () => PageToucher.start(), cores: number = availableParallelism()) {
    this.#startToucher = startToucher;
    this.#cores = cores;
  }

  /** What the cache's block reads pass to the store: decode into a waiting buffer of the exact size. */
  readonly readOptions: { readonly columnBuffer: (bytes: number) => SharedArrayBuffer | undefined } = {
    columnBuffer: (bytes) => this.take(bytes),
  };

  /** Buffers waiting to be taken. */
  get waiting(): number {
    let n = 0;
    for (const q of this.#bySize.values()) n += q.length;
    return n;
  }

  /**
   * Reserves one buffer per size (bytes, in the order the load will allocate them), at most
   * `capBytes` in all, and has them touched. Nothing is reserved below PREFAULT_MIN_BYTES.
   */
  reserve(byteSizes: readonly number[], capBytes: number = Number.POSITIVE_INFINITY): PrefaultLease {
    let total = 0;
    const sizes: number[] = [];
    for (const bytes of byteSizes) {
      if (!Number.isSafeInteger(bytes) || bytes <= 0 || bytes % 8 !== 0) continue;
      if (total + bytes > capBytes) break;
      total += bytes;
      sizes.push(bytes);
    }
    if (total < PREFAULT_MIN_BYTES || this.#cores < 2) return NO_LEASE;
    let mine: SharedArrayBuffer[];
    try {
      mine = sizes.map((bytes) => new SharedArrayBuffer(bytes));
    } catch {
      return NO_LEASE; // out of memory for the reservation: the load allocates as it goes
    }
    if (this.#toucher === undefined || !this.#toucher.alive) this.#toucher = this.#startToucher();
    const toucher = this.#toucher;
    if (toucher === undefined) return NO_LEASE;
    for (const buffer of mine) {
      const queue = this.#bySize.get(buffer.byteLength);
      if (queue === undefined) this.#bySize.set(buffer.byteLength, [buffer]);
      else queue.push(buffer);
    }
    this.#leases++;
    const touched = toucher.touch(mine);
    let released = false;
    return {
      buffers: mine.length,
      touched,
      release: () => {
        if (released) return;
        released = true;
        this.#drop(new Set(mine));
        if (--this.#leases === 0) {
          this.#toucher?.stop();
          this.#toucher = undefined;
        }
      },
    };
  }

  /** The oldest waiting buffer of exactly `bytes`, or undefined. */
  take(bytes: number): SharedArrayBuffer | undefined {
    const queue = this.#bySize.get(bytes);
    if (queue === undefined) return undefined;
    const buffer = queue.shift();
    if (queue.length === 0) this.#bySize.delete(bytes);
    return buffer;
  }

  #drop(buffers: ReadonlySet<SharedArrayBuffer>): void {
    for (const [bytes, queue] of this.#bySize) {
      const kept = queue.filter((b) => !buffers.has(b));
      if (kept.length === 0) this.#bySize.delete(bytes);
      else this.#bySize.set(bytes, kept);
    }
  }
}
