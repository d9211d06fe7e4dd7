import { availableParallelism } from 'node:os';
import { carveColumnArenas } from './column-arena.js';
import { hugePages, type HugePages } from './huge-pages.js';
import { PageToucher } from './page-toucher.js';

/**
 * Below this many bytes a load is not worth preparing: a worker thread costs ~3 ms of the
 * loading thread and ~45 ms of another core to start; 8 MiB of columns take ~20 ms of page faults.
 */
export const PREFAULT_MIN_BYTES = 8 * 2 ** 20;

/** What a reservation hands back: release it when the load is over (unclaimed buffers are dropped). */
export interface PrefaultLease {
  /** How many regions were reserved (0: the load was too small, or no worker could start). */
  readonly buffers: number;
  /** Resolves when every reserved region is mapped: touched by the worker, or populated (for tests and benchmarks). */
  readonly touched: Promise<void>;
  release(): void;
}

const NO_LEASE: PrefaultLease = { buffers: 0, touched: Promise.resolve(), release: () => {} };

/**
 * One cache's column buffers, allocated ahead of a bulk load so that its page faults cost less,
 * handed out by exact byte size in the order they were reserved (the order the load will ask for
 * them). Two ways, chosen per reservation:
 * - huge pages (see huge-pages.ts): the regions are carved from a few large buffers advised for
 *   2 MiB pages, which cut the faults 512-fold, and populated on a libuv thread (no worker);
 * - otherwise, on two cores or more: one SharedArrayBuffer per region, which a PageToucher
 *   worker faults in while the load reads and decodes.
 * The cache's reads pass `readOptions` to the store, so only its own loads take them (a cache
 * opened with `prefault: false` has none); a read that finds no region of its size allocates
 * afresh, so a wrong prediction costs speed, never correctness.
 */
export class PrefaultedBuffers {
  readonly #bySize = new Map<number, Uint8Array[]>();
  #leases = 0;
  #toucher: PageToucher | undefined;
  readonly #startToucher: () => PageToucher | undefined;
  readonly #cores: number;
  readonly #hugePages: () => HugePages | undefined;

  /**
   * `cores`: with one, the worker would only take time from the loader, so without huge pages
   * nothing is reserved. `huge`: this process's huge pages (injectable for tests).
   */
  constructor(
    startToucher: () => PageToucher | undefined = () => PageToucher.start(),
    cores: number = availableParallelism(),
    huge: () => HugePages | undefined = hugePages,
  ) {
    this.#startToucher = startToucher;
    this.#cores = cores;
    this.#hugePages = huge;
  }

  /** What the cache's block reads pass to the store: decode into a waiting region of the exact size. */
  readonly readOptions: { readonly columnBuffer: (bytes: number) => Uint8Array | undefined } = {
    columnBuffer: (bytes) => this.take(bytes),
  };

  /** Buffers waiting to be taken. */
  get waiting(): number {
    let n = 0;
    for (const q of this.#bySize.values()) n += q.length;
    return n;
  }

  /**
   * Reserves one region per size (bytes, in the order the load will allocate them), at most
   * `capBytes` in all, with huge pages or a worker's touches. Nothing is reserved below
   * PREFAULT_MIN_BYTES, nor, without huge pages, on one core. `hugePagesOnly`: without huge pages,
   * reserve nothing rather than start a worker (for a load whose reads another process serves on
   * the other core: a worker touching 4 KiB pages there costs more than it saves).
   */
  reserve(byteSizes: readonly number[], capBytes: number = Number.POSITIVE_INFINITY, options: { hugePagesOnly?: boolean } = {}): PrefaultLease {
    let total = 0;
    const sizes: number[] = [];
    for (const bytes of byteSizes) {
      if (!Number.isSafeInteger(bytes) || bytes <= 0 || bytes % 8 !== 0) continue;
      if (total + bytes > capBytes) break;
      total += bytes;
      sizes.push(bytes);
    }
    if (total < PREFAULT_MIN_BYTES) return NO_LEASE;
    const huge = this.#hugePages();
    if (huge !== undefined) {
      let carved: ReturnType<typeof carveColumnArenas>;
      try {
        carved = carveColumnArenas(sizes, huge);
      } catch {
        return NO_LEASE; // out of memory for the reservation: the load allocates as it goes
      }
      return this.#lease(carved.regions, carved.populated, false);
    }
    if (this.#cores < 2 || options.hugePagesOnly === true) return NO_LEASE;
    let mine: SharedArrayBuffer[];
    try {
      mine = sizes.map((bytes) => new SharedArrayBuffer(bytes));
    } catch {
      return NO_LEASE;
    }
    if (this.#toucher === undefined || !this.#toucher.alive) this.#toucher = this.#startToucher();
    const toucher = this.#toucher;
    if (toucher === undefined) return NO_LEASE;
    return this.#lease(
      mine.map((buffer) => new Uint8Array(buffer)),
      toucher.touch(mine),
      true,
    );
  }

  /** Queues the regions for `take` until the lease is released; the last release stops the worker. */
  #lease(regions: Uint8Array[], touched: Promise<void>, usesToucher: boolean): PrefaultLease {
    for (const region of regions) {
      const queue = this.#bySize.get(region.byteLength);
      if (queue === undefined) this.#bySize.set(region.byteLength, [region]);
      else queue.push(region);
    }
    if (usesToucher) this.#leases++;
    let released = false;
    return {
      buffers: regions.length,
      touched,
      release: () => {
        if (released) return;
        released = true;
        this.#drop(new Set(regions));
        if (usesToucher && --this.#leases === 0) {
          this.#toucher?.stop();
          this.#toucher = undefined;
        }
      },
    };
  }

  /** The oldest waiting region of exactly `bytes`, or undefined. */
  take(bytes: number): Uint8Array | undefined {
    const queue = this.#bySize.get(bytes);
    if (queue === undefined) return undefined;
    const buffer = queue.shift();
    if (queue.length === 0) this.#bySize.delete(bytes);
    return buffer;
  }

  #drop(buffers: ReadonlySet<Uint8Array>): void {
    for (const [bytes, queue] of this.#bySize) {
      const kept = queue.filter((b) => !buffers.has(b));
      if (kept.length === 0) this.#bySize.delete(bytes);
      else this.#bySize.set(bytes, kept);
    }
  }
}
