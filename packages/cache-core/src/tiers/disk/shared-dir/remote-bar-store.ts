import { BarcacheError, ErrorCode } from '../../../errors.js';
import type { BarStore, BarStoreSupports, BlockInfo, BlockReadOptions, BlockReadResult, SeriesLease, SeriesMeta, SeriesWrite } from '../bar-store.js';
import { auditBlocks } from '../block-audit.js';
import { checkReadArgs, checkSeriesId, decodeBlocks } from '../block-commit.js';
import { LeaderConnection, type LeaderConnectionOptions } from './leader-connection.js';
import type { BatchAnswer, BatchItem, BlocksRead } from './read-batch.js';
import { ReadBatcher } from './read-batcher.js';
import { encodeWrites, fromWireError, LeaderLostError } from './store-protocol.js';

export type RemoteBarStoreOptions = LeaderConnectionOptions;

/** Series a prefetch reads at once through a follower (each read is one item of a shared batch). */
export const REMOTE_READ_CONCURRENCY = 16;

/** A getMeta brings the series' blocks along when they add up to at most this (read-ahead). */
export const READ_AHEAD_BYTES = 1024 * 1024;

/**
 * A BarStore served by the leader of a shared cache dir over its socket (docs/store-protocol.md).
 * Blocks travel encoded, as the codec stores them, and are decoded (and checksum-checked) here.
 * Metas are the leader's current ones: every getMeta/listMeta asks it. The getMeta and readBlocks
 * calls of one event-loop turn travel together in one `batch` request (read-batcher.ts), and a
 * getMeta brings the series' blocks along (when small): a readBlocks of that series in the same
 * turn of the event loop is answered from them, as the leader read them with that meta. They are
 * dropped at the end of that turn, so a later readBlocks always asks the leader again.
 *
 * When the leader goes away, waiting and later calls reject with LeaderLostError (or
 * LEADER_UNRESPONSIVE when it hangs); ElectedBarStore turns that into a failover and a retry.
 */
export class RemoteBarStore implements BarStore {
  // Reads of many series at once travel together (one round trip per event-loop turn).
  readonly supports: BarStoreSupports = Object.freeze({ persistent: true, checksums: true, readConcurrency: REMOTE_READ_CONCURRENCY, servedByAnotherProcess: true });
  readonly #options: RemoteBarStoreOptions;
  #conn: LeaderConnection | undefined;
  #batcher: ReadBatcher | undefined;
  /** Blocks a getMeta brought along, by series id, until the end of the event-loop turn. */
  readonly #readAhead = new Map<string, BlocksRead>();
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
    const conn = await LeaderConnection.connect(this.#options);
    this.#conn = conn;
    this.#batcher = new ReadBatcher(
      (items) => conn.request('batch', { items }),
      (err) => conn.close(err),
    );
  }

  /** Requests sent to the leader over this store's connection so far (a batch counts once). */
  get requestsSent(): number {
    return this.#conn?.requestsSent ?? 0;
  }

  async close(): Promise<void> {
    const conn = this.#conn;
    this.#conn = undefined;
    this.#batcher = undefined;
    this.#readAhead.clear();
    conn?.close();
  }

  #connection(): LeaderConnection {
    if (this.#conn === undefined) throw new BarcacheError(ErrorCode.CLOSED, 'RemoteBarStore is not open');
    return this.#conn;
  }

  /** One read through the batcher; a failed item rejects with the leader's error for it. */
  async #batched(item: BatchItem): Promise<BatchAnswer> {
    const conn = this.#connection();
    const answer = await this.#batcher!.request(item);
    if (answer.op === 'error') throw fromWireError(answer.error, conn.leaderPid);
    return answer;
  }

  async getMeta(id: string): Promise<SeriesMeta | undefined> {
    this.#connection();
    checkSeriesId(id);
    const answer = await this.#batched({ op: 'getMeta', seriesId: id, readAhead: READ_AHEAD_BYTES });
    if (answer.op !== 'getMeta') return undefined;
    if (answer.blocks !== undefined) {
      const blocks = answer.blocks;
      this.#readAhead.set(id, blocks);
      setImmediate(() => {
        if (this.#readAhead.get(id) === blocks) this.#readAhead.delete(id);
      });
    } else this.#readAhead.delete(id);
    return answer.meta;
  }

  async listMeta(): Promise<SeriesMeta[]> {
    const f = await this.#connection().request('listMeta');
    return f.header.metas as SeriesMeta[];
  }

  async readBlocks(id: string, starts: readonly number[], options?: BlockReadOptions): Promise<BlockReadResult> {
    this.#connection();
    const unique = checkReadArgs(id, starts);
    if (unique.length === 0) return { blocks: new Map(), corrupt: [] };
    const ahead = this.#readAhead.get(id);
    const picked = ahead === undefined ? undefined : pick(ahead, unique);
    const read = picked ?? (await this.#batched({ op: 'readBlocks', seriesId: id, starts: unique }));
    if (read.op !== 'readBlocks') throw new TypeError('store protocol: a readBlocks item was answered as something else');
    // Audited against the leader's meta, as a local store audits: a block the meta lists but the
    // store lacks (or holds at another version) is corrupt, so the cache refetches it.
    const listed: BlockInfo[] = read.listed;
    return auditBlocks(listed, unique, decodeBlocks(read.found, read.blobs, options?.columnBuffer));
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
    for (const w of Array.isArray(writes) ? writes : []) if (typeof w?.meta?.id === 'string') this.#readAhead.delete(w.meta.id);
    const { writes: wire, blobs } = encodeWrites(writes);
    if (wire.length === 0) return [];
    const f = await conn.request('commit', { writes: wire, tokens }, blobs);
    return f.header.metas as SeriesMeta[];
  }

  async deleteSeries(id: string): Promise<void> {
    const conn = this.#connection();
    checkSeriesId(id);
    this.#readAhead.delete(id);
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

/**
 * The blocks of `starts` among those a getMeta brought along, or undefined when one of them is
 * listed but was not brought (then the leader is asked: only it can say whether it is missing).
 */
function pick(ahead: BlocksRead, starts: readonly number[]): ({ op: 'readBlocks' } & BlocksRead) | undefined {
  const have = new Set(ahead.found);
  const want = new Set(starts);
  for (const b of ahead.listed) if (!have.has(b.start) && want.has(b.start)) return undefined;
  const found: number[] = [];
  const blobs: Uint8Array[] = [];
  ahead.found.forEach((start, i) => {
    if (!want.has(start)) return;
    found.push(start);
    blobs.push(ahead.blobs[i]!);
  });
  return { op: 'readBlocks', found, listed: ahead.listed, blobs };
}

function aborted(id: string): BarcacheError {
  return new BarcacheError(ErrorCode.ABORTED, `waiting for the fill lease on ${id} was cancelled`, { details: { id } });
}
