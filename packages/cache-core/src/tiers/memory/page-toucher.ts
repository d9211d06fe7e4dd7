import { Worker } from 'node:worker_threads';

/**
 * The worker's whole program (CommonJS, evaluated: no file to find, nothing to import). For every
 * buffer it is sent it does an atomic add of 0 to one 32-bit word in each 4 KiB page: the page is
 * mapped (its first write fault taken) on this thread, and no value the loader has already written
 * there can change, since an atomic add of 0 writes back what it reads in one indivisible step.
 */
const TOUCH_PROGRAM = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (msg) => {
  for (const buffer of msg.buffers) {
    const words = new Int32Array(buffer);
    for (let i = 0; i < words.length; i += 1024) Atomics.add(words, i, 0);
  }
  parentPort.postMessage(msg.id);
});
`;

/**
 * A worker thread that takes the page faults of fresh column memory off the loading thread.
 *
 * Fresh memory costs one page fault per 4 KiB on its first write (~10 µs each on a VM, 56 B/bar:
 * ~190 ms for 1.3 M bars, as much as reading the same columns from a file). A bulk load knows
 * its buffers' sizes before it reads a byte, so it allocates them up front as SharedArrayBuffers
 * and has this thread touch them while it reads and decodes: the decoder then writes into mapped
 * memory, and the two cores share the faults. Nothing here is needed for correctness: a buffer
 * the decoder reaches first simply faults on the decoder's thread.
 *
 * The worker is `unref`'d (it never keeps a process alive) and a failure to start or run it only
 * turns the speed-up off.
 */
export class PageToucher {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, () => void>();
  #nextId = 0;
  #failed = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.unref();
    worker.on('message', (id: number) => this.#settle(id));
    worker.on('error', () => this.#fail());
    worker.on('exit', () => this.#fail());
  }

  /** A started toucher, or undefined where worker threads are unavailable. */
  static start(): PageToucher | undefined {
    try {
      return new PageToucher(new Worker(TOUCH_PROGRAM, { eval: true }));
    } catch {
      return undefined;
    }
  }

  /** False once the worker failed or exited: the caller stops sending it work. */
  get alive(): boolean {
    return !this.#failed;
  }

  /** Touches every page of `buffers`, in order; resolves when done (or at once if the worker is gone). */
  touch(buffers: readonly SharedArrayBuffer[]): Promise<void> {
    if (this.#failed || buffers.length === 0) return Promise.resolve();
    const id = this.#nextId++;
    return new Promise<void>((resolve) => {
      this.#waiting.set(id, resolve);
      try {
        this.#worker.postMessage({ id, buffers });
      } catch {
        this.#fail();
      }
    });
  }

  /** Stops the worker (asynchronously); pending touches resolve. */
  stop(): void {
    this.#fail();
    void this.#worker.terminate().catch(() => {});
  }

  #settle(id: number): void {
    const resolve = this.#waiting.get(id);
    this.#waiting.delete(id);
    resolve?.();
  }

  #fail(): void {
    this.#failed = true;
    for (const resolve of this.#waiting.values()) resolve();
    this.#waiting.clear();
  }
}
