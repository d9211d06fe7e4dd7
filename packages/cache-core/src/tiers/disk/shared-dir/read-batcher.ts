/**
 * A follower's reads, gathered into `batch` requests (read-batch.ts): every getMeta and readBlocks
 * asked during one turn of the event loop goes to the leader in one round trip, at most
 * `MAX_BATCH_ITEMS` a frame. The prefetch's workers ask together (their answers arrive together),
 * so a follower makes one round trip where it made one per series and call.
 */
import type { Frame } from './frames.js';
import { splitBatchResults, type BatchAnswer, type BatchItem } from './read-batch.js';
import { LeaderLostError } from './store-protocol.js';
import { TurnBatcher } from '../turn-batcher.js';

/** Items per request: bounds a response's size (a frame is at most 512 MiB). */
export const MAX_BATCH_ITEMS = 64;

export class ReadBatcher {
  readonly #batcher: TurnBatcher<BatchItem, BatchAnswer>;

  /**
   * `send` makes one `batch` request; `onDamaged` is told when a response does not add up (the
   * connection is then not to be trusted: the caller closes it, and the calls are retried).
   */
  constructor(send: (items: BatchItem[]) => Promise<Frame>, onDamaged: (err: Error) => void) {
    this.#batcher = new TurnBatcher(async (items) => {
      const frame = await send(items);
      try {
        return splitBatchResults(items, frame.header.results, frame.blobs);
      } catch (err) {
        const lost = new LeaderLostError(`damaged batch answer from the leader: ${(err as Error).message}`);
        onDamaged(lost);
        throw lost;
      }
    }, MAX_BATCH_ITEMS);
  }

  request(item: BatchItem): Promise<BatchAnswer> {
    return this.#batcher.request(item);
  }
}
