/**
 * A warm in progress as an observer sees it: how far it is, and the same cancel as its progress
 * notification's Cancel button. The warm command hands one to `CommandDeps.onWarmStart` (set only by
 * the test hooks); nothing else in the extension needs it.
 */
export interface RunningWarm {
  /** Cancels the warm, exactly as the notification's Cancel button does. */
  cancel(): void;
  /** Called after each symbol finishes (`done` of `total`). */
  onProgress(listener: (done: number, total: number) => void): void;
  /** Settles when the warm has ended (done, failed or cancelled). */
  readonly ended: Promise<void>;
}

/** The warm command's side of a RunningWarm: it reports progress and says when it has ended. */
export class WarmObservers implements RunningWarm {
  readonly #listeners: ((done: number, total: number) => void)[] = [];
  #end!: () => void;
  readonly ended = new Promise<void>((resolve) => (this.#end = resolve));

  constructor(private readonly abort: () => void) {}

  cancel(): void {
    this.abort();
  }

  onProgress(listener: (done: number, total: number) => void): void {
    this.#listeners.push(listener);
  }

  progress(done: number, total: number): void {
    for (const l of this.#listeners) l(done, total);
  }

  end(): void {
    this.#end();
  }
}
