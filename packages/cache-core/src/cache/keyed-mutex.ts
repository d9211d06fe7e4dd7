/**
 * Runs tasks one at a time per key. The cache fills each series under its key, so concurrent
 * identical or overlapping gap fetches are merged: the second caller waits for the first fill,
 * finds the range covered, and makes no provider call (single flight).
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or queued. */
  busyKeys(): IterableIterator<string> {
    return this.#tails.keys();
  }

  isBusy(key: string): boolean {
    return this.#tails.has(key);
  }
}
