import { BarcacheError, ErrorCode } from '../../../errors.js';
import type { BarStore, BarStoreSupports, BlockReadResult, SeriesLease, SeriesMeta, SeriesWrite } from '../bar-store.js';
import { checkReadArgs, checkSeriesId, decodeBlocks } from '../block-commit.js';
import { LeaderConnection, type LeaderConnectionOptions } from './leader-connection.js';
import { encodeWrites, LeaderLostError } from './store-protocol.js';

export type RemoteBarStoreOptions = LeaderConnectionOptions;

/**
 * A BarStore served by the leader of a shared cache dir over its socket (docs/store-protocol.md).
 * Blocks travel encoded, as the codec stores them, and are decoded (and checksum-checked) here.
 * Metas are the leader's current ones: every getMeta/listMeta asks it.
 *
 * When the leader goes away, waiting and later calls reject with LeaderLostError (or
 * LEADER_UNRESPONSIVE when it hangs); ElectedBarStore turns that into a failover and a retry.
 */
export class RemoteBarStore implements BarStore {
  readonly supports: BarStoreSupports = Object.freeze({ persistent: true, checksums: true });
  readonly #options: RemoteBarStoreOptions;
  #conn: LeaderConnection | undefined;
  #nextLease = 0;

  constructor(options: RemoteBarStoreOptions) {
    this.#options = options;
  }

  /** The leader's pid (after open). */
  get leaderPid(): number | undefined {
    return this.#conn?.leaderPid;
  }

  /** Whether the connection to the leader is gone (closed, lost or unresponsive). */
  get lost(): boolean {
    return this.#conn?.closed ?? true;
  }

  onLost(fn: () => void): void {
    this.#conn?.onClose(fn);
  }

  async open(): Promise<void> {
    if (this.#conn !== undefined && !this.#conn.closed) return;
    this.#conn = await LeaderConnection.connect(this.#options);
  }

  async close(): Promise<void> {
    const conn = this.#conn;
    this.#conn = undefined;
    conn?.close();
  }

  #connection(): LeaderConnection {
    if (this.#conn === undefined) throw new BarcacheError(ErrorCode.CLOSED, 'RemoteBarStore is not open');
    return this.#conn;
  }

  async getMeta(id: string): Promise<SeriesMeta | undefined> {
    const conn = this.#connection();
    checkSeriesId(id);
    const f = await conn.request('getMeta', { seriesId: id });
    return (f.header.meta as SeriesMeta | null) ?? undefined;
  }

  async listMeta(): Promise<SeriesMeta[]> {
    const f = await this.#connection().request('listMeta');
    return f.header.metas as SeriesMeta[];
  }

  async readBlocks(id: string, starts: readonly number[]): Promise<BlockReadResult> {
    const conn = this.#connection();
    const unique = checkReadArgs(id, starts);
    if (unique.length === 0) return { blocks: new Map(), corrupt: [] };
    const f = await conn.request('readBlocks', { seriesId: id, starts: unique });
    const found = f.header.found as number[];
    return decodeBlocks(found, f.blobs);
  }

  async commit(write: SeriesWrite): Promise<SeriesMeta> {
    const [meta] = await this.commitMany([write]);
    return meta!;
  }

  async commitMany(writes: SeriesWrite[]): Promise<SeriesMeta[]> {
    return this.commitFenced(writes, {});
  }

  /**
   * commitMany carrying fill-lease tokens (series id → token): the leader refuses the whole batch
   * with LEASE_LOST when a token is not its series' current grant.
   */
  async commitFenced(writes: SeriesWrite[], tokens: Record<string, number>): Promise<SeriesMeta[]> {
    const conn = this.#connection();
    const { writes: wire, blobs } = encodeWrites(writes);
    if (wire.length === 0) return [];
    const f = await conn.request('commit', { writes: wire, tokens }, blobs);
    return f.header.metas as SeriesMeta[];
  }

  async deleteSeries(id: string): Promise<void> {
    const conn = this.#connection();
    checkSeriesId(id);
    await conn.request('deleteSeries', { seriesId: id });
  }

  async totalBytes(): Promise<number> {
    const f = await this.#connection().request('totalBytes');
    return f.header.bytes as number;
  }

  async lease(id: string, options: { signal?: AbortSignal } = {}): Promise<SeriesLease> {
    const conn = this.#connection();
    checkSeriesId(id);
    const signal = options.signal;
    if (signal?.aborted) throw aborted(id);
    const leaseId = ++this.#nextLease;
    const granted = conn.request('lease', { seriesId: id, leaseId });
    let onAbort: (() => void) | undefined;
    const token = await new Promise<number>((resolve, reject) => {
      onAbort = () => {
        // Withdraws the request, or gives the lease back if the grant is already on its way.
        conn.send('release', { leaseId });
        reject(aborted(id));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      granted.then((f) => resolve(f.header.token as number), reject);
    }).finally(() => signal?.removeEventListener('abort', onAbort!));
    let released = false;
    return {
      token,
      release: async () => {
        if (released) return;
        released = true;
        // A lease dies with its connection: nothing to give back when the leader is gone.
        await conn.request('release', { leaseId }).catch((err: unknown) => {
          if (!(err instanceof LeaderLostError) && !(err instanceof BarcacheError && err.code === ErrorCode.LEADER_UNRESPONSIVE)) throw err;
        });
      },
    };
  }
}

function aborted(id: string): BarcacheError {
  return new BarcacheError(ErrorCode.ABORTED, `waiting for the fill lease on ${id} was cancelled`, { details: { id } });
}
