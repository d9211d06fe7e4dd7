import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Level } from 'level';
import { BarcacheError, ErrorCode } from '../../errors.js';
import type { BarStore, BarStoreSupports, BlockReadResult, SeriesLease, SeriesMeta, SeriesWrite } from './bar-store.js';
import { LocalLeases } from './local-leases.js';
import { blockKey, checkReadArgs, checkSeriesId, decodeBlocks, prepareCommits, seriesBlockRange, seriesBytes } from './block-commit.js';
import { currentOwner, describeOwner, readOwner, removeOwner, writeOwner, type CacheDirOwner } from './cache-dir-owner.js';
import { MetaIndex } from './meta-index.js';

export interface LevelBarStoreOptions {
  /** The cache dir. The database lives in `<dir>/db`, the holder's record in `<dir>/owner.json`. */
  dir: string;
  /**
   * How long `open()` waits for another process (or instance) to release the database before it
   * throws LOCKED, in ms. Default: 2000. Measured on the real monotonic clock, not `now`.
   */
  lockTimeoutMs?: number;
  /** Clock for the `startedAt` this store records in owner.json (epoch ms). Default: Date.now. */
  now?: () => number;
  /** How this process is named in owner.json (e.g. 'barcache warm'). Default: its command line. */
  processLabel?: string;
}

/** One operation of the single batch a commit writes (abstract-level's batch operation shape). */
export type LevelBatchOp =
  | { type: 'put'; key: string; value: string | Uint8Array; sublevel: unknown }
  | { type: 'del'; key: string; sublevel: unknown };

type Db = Level<string, string>;
declare const anyDb: Db;
type MetaLevel = ReturnType<typeof anyDb.sublevel<string, string>>;
type BlockLevel = ReturnType<typeof anyDb.sublevel<string, Uint8Array>>;

const MAX_BACKOFF_MS = 200;

function isLockError(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  return e?.code === 'LEVEL_LOCKED' || (e?.code === 'LEVEL_DATABASE_NOT_OPEN' && e.cause?.code === 'LEVEL_LOCKED');
}

/**
 * L2 on disk: one LevelDB at `<dir>/db` with two sublevels, `meta` (one JSON value per series id)
 * and `blocks` (`<seriesId>\x00<blockStart hex>` → encoded block). Every commit is one LevelDB
 * batch, so the ledger in a meta never claims bars whose block is not on disk.
 *
 * The store keeps a copy of every meta in memory (it is the only writer while it holds the lock),
 * which makes getMeta/listMeta/totalBytes cheap.
 */
export class LevelBarStore implements BarStore {
  readonly supports: BarStoreSupports = Object.freeze({ persistent: true, checksums: true });
  readonly dir: string;
  readonly lockTimeoutMs: number;
  readonly #now: () => number;
  readonly #label: string | undefined;

  #db: Level<string, string> | undefined;
  #meta: MetaLevel | undefined;
  #blocks: BlockLevel | undefined;
  #state: 'closed' | 'opening' | 'open' | 'closing' = 'closed';
  #owner: CacheDirOwner | undefined;
  readonly #metas = new MetaIndex();
  readonly #leases = new LocalLeases();
  /** Writes run one after another, so each recomputes `blocks` from the previous one's result. */
  #writeChain: Promise<unknown> = Promise.resolve();
  /**
   * Ids whose stored meta would not parse at open. Such a series reads as absent (so the cache
   * refetches it); its next commit or deleteSeries also removes the blocks left under its id.
   */
  readonly unreadableMeta: string[] = [];

  constructor(options: LevelBarStoreOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('LevelBarStore: options are required');
    if (typeof options.dir !== 'string' || options.dir.length === 0) throw new TypeError('LevelBarStore: dir must be a non-empty string');
    const lockTimeoutMs = options.lockTimeoutMs ?? 2000;
    if (!(lockTimeoutMs >= 0)) throw new TypeError(`LevelBarStore: lockTimeoutMs must be >= 0, got ${lockTimeoutMs}`);
    this.dir = path.resolve(options.dir);
    this.lockTimeoutMs = lockTimeoutMs;
    this.#now = options.now ?? Date.now;
    this.#label = options.processLabel;
  }

  get status(): 'closed' | 'opening' | 'open' | 'closing' {
    return this.#state;
  }

  async open(): Promise<void> {
    if (this.#state === 'open') return;
    if (this.#state !== 'closed') throw new TypeError(`LevelBarStore: cannot open while ${this.#state}`);
    this.#state = 'opening';
    try {
      await mkdir(this.dir, { recursive: true });
      const db = await this.#openWithRetry();
      this.#db = db;
      this.#meta = db.sublevel<string, string>('meta', { valueEncoding: 'utf8' });
      this.#blocks = db.sublevel<string, Uint8Array>('blocks', { valueEncoding: 'view' });
      await this.#loadMetas();
      this.#owner = currentOwner({ now: this.#now, ...(this.#label === undefined ? {} : { command: this.#label }) });
      await writeOwner(this.dir, this.#owner);
      this.#state = 'open';
    } catch (err) {
      const db = this.#db;
      this.#db = undefined;
      this.#state = 'closed';
      await db?.close().catch(() => {});
      throw err;
    }
  }

  async #openWithRetry(): Promise<Level<string, string>> {
    const started = performance.now();
    let delay = 10;
    for (;;) {
      const db = new Level<string, string>(path.join(this.dir, 'db'), { keyEncoding: 'utf8', valueEncoding: 'utf8' });
      try {
        await db.open();
        return db;
      } catch (err) {
        if (!isLockError(err)) throw err;
        const waited = performance.now() - started;
        if (waited >= this.lockTimeoutMs) {
          const holder = await readOwner(this.dir);
          throw new BarcacheError(
            ErrorCode.LOCKED,
            `Cache dir ${this.dir} is in use by ${describeOwner(holder)}; gave up after ${Math.round(waited)} ms`,
            { cause: err, details: { dir: this.dir, holder, waitedMs: Math.round(waited) } },
          );
        }
        await sleep(Math.min(delay, this.lockTimeoutMs - waited + 1));
        delay = Math.min(delay * 2, MAX_BACKOFF_MS);
      }
    }
  }

  async #loadMetas(): Promise<void> {
    this.#metas.clear();
    this.unreadableMeta.length = 0;
    for await (const [id, json] of this.#meta!.iterator()) {
      let meta: SeriesMeta;
      try {
        meta = JSON.parse(json) as SeriesMeta;
        if (!Array.isArray(meta.blocks)) throw new TypeError('no blocks');
      } catch {
        this.unreadableMeta.push(id);
        continue;
      }
      this.#metas.set(id, { json, meta, bytes: seriesBytes(json, meta.blocks) });
    }
  }

  async close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') return;
    if (this.#state === 'opening') throw new TypeError('LevelBarStore: close() while opening');
    this.#state = 'closing';
    try {
      await this.#writeChain.catch(() => {});
      // Remove our record while we still hold the lock, so we never delete a successor's.
      if (this.#owner !== undefined) await removeOwner(this.dir, this.#owner).catch(() => {});
      await this.#db?.close();
    } finally {
      this.#db = undefined;
      this.#owner = undefined;
      this.#state = 'closed';
    }
  }

  #assertOpen(): void {
    if (this.#state !== 'open') {
      throw new BarcacheError(ErrorCode.CLOSED, `LevelBarStore at ${this.dir} is not open (${this.#state})`);
    }
  }

  async getMeta(id: string): Promise<SeriesMeta | undefined> {
    this.#assertOpen();
    checkSeriesId(id);
    return this.#metas.copy(id);
  }

  async listMeta(): Promise<SeriesMeta[]> {
    this.#assertOpen();
    return this.#metas.list();
  }

  async readBlocks(id: string, starts: readonly number[]): Promise<BlockReadResult> {
    this.#assertOpen();
    const unique = checkReadArgs(id, starts);
    const values = await this.#blocks!.getMany(unique.map((s) => blockKey(id, s)));
    return decodeBlocks(unique, values);
  }

  /**
   * The stored bytes of blocks, not decoded (undefined when absent), for the distinct `starts` in
   * the order first asked for: what the shared-dir leader sends its followers, who decode them.
   */
  async readEncodedBlocks(id: string, starts: readonly number[]): Promise<{ starts: number[]; encoded: (Uint8Array | undefined)[] }> {
    this.#assertOpen();
    const unique = checkReadArgs(id, starts);
    return { starts: unique, encoded: await this.#blocks!.getMany(unique.map((s) => blockKey(id, s))) };
  }

  async commit(write: SeriesWrite): Promise<SeriesMeta> {
    const [meta] = await this.commitMany([write]);
    return meta!;
  }

  async commitMany(writes: SeriesWrite[]): Promise<SeriesMeta[]> {
    this.#assertOpen();
    if (!Array.isArray(writes)) throw new TypeError('commitMany: expected an array of writes');
    return this.#exclusive(async () => {
      // Later writes to the same series build on earlier ones in this call.
      const prepared = prepareCommits(writes, (id) => this.#metas.current(id));
      if (prepared.length === 0) return [];
      const ops: LevelBatchOp[] = [];
      // A series whose stored meta would not parse starts afresh: drop its orphaned blocks too.
      const orphaned = new Set(prepared.map((p) => p.id).filter((id) => this.unreadableMeta.includes(id)));
      for (const id of orphaned) {
        for await (const key of this.#blocks!.keys(seriesBlockRange(id))) ops.push({ type: 'del', key, sublevel: this.#blocks });
      }
      for (const p of prepared) {
        for (const start of p.dels) ops.push({ type: 'del', key: blockKey(p.id, start), sublevel: this.#blocks });
        for (const { start, bytes } of p.puts) ops.push({ type: 'put', key: blockKey(p.id, start), value: bytes, sublevel: this.#blocks });
        ops.push({ type: 'put', key: p.id, value: p.metaJson, sublevel: this.#meta });
      }
      await this._writeBatch(ops);
      for (const p of prepared) this.#metas.set(p.id, { json: p.metaJson, meta: p.meta, bytes: p.bytes });
      for (const id of orphaned) this.unreadableMeta.splice(this.unreadableMeta.indexOf(id), 1);
      return prepared.map((p) => JSON.parse(p.metaJson) as SeriesMeta);
    });
  }

  async deleteSeries(id: string): Promise<void> {
    this.#assertOpen();
    checkSeriesId(id);
    await this.#exclusive(async () => {
      const ops: LevelBatchOp[] = [];
      for await (const key of this.#blocks!.keys(seriesBlockRange(id))) ops.push({ type: 'del', key, sublevel: this.#blocks });
      ops.push({ type: 'del', key: id, sublevel: this.#meta });
      await this._writeBatch(ops);
      this.#metas.set(id, undefined);
      const bad = this.unreadableMeta.indexOf(id);
      if (bad >= 0) this.unreadableMeta.splice(bad, 1);
    });
  }

  async lease(id: string, options: { signal?: AbortSignal } = {}): Promise<SeriesLease> {
    this.#assertOpen();
    checkSeriesId(id);
    return this.#leases.acquire(id, options.signal);
  }

  async totalBytes(): Promise<number> {
    this.#assertOpen();
    return this.#metas.totalBytes;
  }

  /**
   * Writes one atomic LevelDB batch. Implementer's hook: tests override it to make a batch fail.
   * @internal
   */
  protected async _writeBatch(ops: LevelBatchOp[]): Promise<void> {
    // The sublevel field makes one batch span both sublevels atomically.
    await this.#db!.batch(ops as never);
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#writeChain.then(fn, fn);
    this.#writeChain = run.catch(() => {});
    return run;
  }
}
