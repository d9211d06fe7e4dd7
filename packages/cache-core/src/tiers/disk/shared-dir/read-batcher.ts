/**
 * A follower's reads, gathered into `batch` requests (read-batch.ts): every getMeta and readBlocks
 * asked during one turn of the event loop goes to the leader in one round trip, at most
 * `MAX_BATCH_ITEMS` a frame. The prefetch's workers ask together (their answers arrive together),
 * so a follower makes one round trip where it made one per series and call.
 */
import type { Frame } from './frames.js';
import { splitBatchResults, type BatchAnswer, type BatchItem } from './read-batch.js';
import { LeaderLostError } from './store-protocol.js';

/** Items per request: bounds a response's size (a frame is at most 512 MiB). */
export const MAX_BATCH_ITEMS = 64;

interface Waiting {
  item: BatchItem;
  resolve: (a: BatchAnswer) => void;
  reject: (e: Error) => void;
}

export class ReadBatcher {
  readonly #send: (items: BatchItem[]) => Promise<Frame>;
  readonly #onDamaged: (err: Error) => void;
  #queue: Waiting[] = [];
  #scheduled = false;

  /**
   * `send` makes one `batch` request; `onDamaged` is told when a response does not add up (the
   * connection is then not to be trusted: the caller closes it, and the calls are retried).
   */
  constructor(send: (items: BatchItem[]) => Promise<Frame>, onDamaged: (err: Error) => void) {
    this.#send = send;
    this.#onDamaged = onDamaged;
  }

  request(item: BatchItem): Promise<BatchAnswer> {
    return new Promise<BatchAnswer>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    for (let i = 0; i < queue.length; i += MAX_BATCH_ITEMS) void this.#run(queue.slice(i, i + MAX_BATCH_ITEMS));
  }

  async #run(batch: Waiting[]): Promise<void> {
    const items = batch.map((w) => w.item);
    let answers: BatchAnswer[];
    try {
      const frame = await this.#send(items);
      try {
        answers = splitBatchResults(items, frame.header.results, frame.blobs);
      } catch (err) {
        const lost = new LeaderLostError(`damaged batch answer from the leader: ${(err as Error).message}`);
        this.#onDamaged(lost);
        throw lost;
      }
    } catch (err) {
      for (const w of batch) w.reject(err as Error);
      return;
    }
    batch.forEach((w, i) => w.resolve(answers[i]!));
  }
}
