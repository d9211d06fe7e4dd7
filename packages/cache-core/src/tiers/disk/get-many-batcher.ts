import { TurnBatcher } from './turn-batcher.js';

/**
 * Keys per call: a few series' blocks. Small enough that while one batch is read on a libuv thread
 * the loading thread decodes the one before (one batch of everything would leave it idle waiting).
 */
export const MAX_BATCH_KEYS = 64;

/**
 * Gathers the point reads asked during one turn of the event loop into one `getMany` call.
 *
 * Each LevelDB `getMany` costs the loading thread a native call and a wake-up of a libuv thread
 * (~40 µs alone, several times that while the other core is busy), whatever its size. A warm load
 * reads each series' blocks with one call; its workers ask together (their answers arrive
 * together), so gathered they make one call where they made one per series. Each caller still gets
 * exactly the values of its own keys, in its order; a failed call fails every caller in it.
 */
export class GetManyBatcher<K, V> {
  readonly #batcher: TurnBatcher<K[], V[]>;

  constructor(getMany: (keys: K[]) => Promise<V[]>, maxKeys: number = MAX_BATCH_KEYS) {
    this.#batcher = new TurnBatcher(
      async (requests) => {
        const keys = requests.length === 1 ? requests[0]! : requests.flat();
        const values = await getMany(keys);
        // Never a short answer: a missing value must read as absent (undefined), not shift the rest.
        if (values.length !== keys.length) throw new Error(`getMany returned ${values.length} values for ${keys.length} keys`);
        let at = 0;
        return requests.map((keys) => values.slice(at, (at += keys.length)));
      },
      maxKeys,
      (keys) => keys.length,
    );
  }

  /** The values of `keys`, read with whatever else is asked in this turn. */
  get(keys: K[]): Promise<V[]> {
    return this.#batcher.request(keys);
  }
}
