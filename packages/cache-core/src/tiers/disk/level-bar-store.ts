import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Level } from 'level';
import { BarcacheError, ErrorCode } from '../../errors.js';
import type { BarStoreSupports, BlockInfo, BlockReadOptions, BlockReadResult, SeriesMeta } from './bar-store.js';
import { AbstractBarStore } from './abstract-bar-store.js';
import { blockKey, checkReadArgs, decodeBlocks, seriesBlockRange, seriesBytes, type PreparedCommit } from './block-commit.js';
import { currentOwner, describeOwner, readOwner, removeOwner, writeOwner, type CacheDirOwner } from './cache-dir-owner.js';
import { GetManyBatcher } from './get-many-batcher.js';
import { makeDir } from './make-dir.js';
import { MetaIndex } from './meta-index.js';
import { openReadOnlyCopy } from './read-only-copy.js';
import { sealMeta, unsealMeta } from './meta-seal.js';
import { classifyStoreFailure, diskFullError, storeCorruptError, toStoreError } from './store-failure.js';

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
  /**
   * When the disk is too full for LevelDB to open the database (it writes while recovering),
   * open a copy of it in the OS temp dir and serve it read-only (commits throw DISK_FULL).
   * Default: true.
   */
  readOnlyWhenFull?: boolean;
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
/** Series a prefetch reads at once from this store (its reads are gathered: see #blockReads). */
export const LOCAL_READ_CONCURRENCY = 16;
/** Metas read per native call when the store opens. */
const META_BATCH = 1000;
/**
 * Bytes classic-level may gather for one `nextv` (its `highWaterMarkBytes`; default 16 KiB, a
 * dozen metas): with room for a whole batch, opening a dir of 500 series reads its metas in one
 * round trip to a libuv thread instead of forty (~15 ms of the open, measured, down to ~7).
 */
const META_BATCH_BYTES = 4 * 2 ** 20;
/** Files whose presence means a database exists in a folder (so a missing CURRENT is damage). */
const DB_FILE = /^(CURRENT|MANIFEST-\d+|\d+\.(log|ldb|sst))$/;

function isLockError(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  return e?.code === 'LEVEL_LOCKED' || (e?.code === 'LEVEL_DATABASE_NOT_OPEN' && e.cause?.code === 'LEVEL_LOCKED');
}

/** The database folder of a cache dir. */
export function databaseDir(dir: string): string {
  return path.join(dir, 'db');
}

/**
 * L2 on disk: one LevelDB at `<dir>/db` with two sublevels, `meta` (one checksummed JSON value per
 * series id, see meta-seal.ts) and `blocks` (`<seriesId>\x00<blockStart hex>` → encoded block).
 * Every commit is one LevelDB batch, so the ledger in a meta never claims bars whose block is not
 * on disk; what LevelDB loses to damage is caught on read (see AbstractBarStore.readBlocks).
 *
 * The store keeps a copy of every meta in memory (it is the only writer while it holds the lock),
 * which makes getMeta/listMeta/totalBytes cheap.
 *
 * Failures are coded and name the dir: STORE_CORRUPT (will not open: see store-repair.ts),
 * DISK_FULL, PERMISSION_DENIED.
 */
export class LevelBarStore extends AbstractBarStore {
  /** readConcurrency: a prefetch's concurrent block reads are gathered into one getMany a turn. */
  readonly supports: BarStoreSupports = Object.freeze({ persistent: true, checksums: true, readConcurrency: LOCAL_READ_CONCURRENCY });
  readonly dir: string;
  readonly lockTimeoutMs: number;
  readonly #now: () => number;
  readonly #label: string | undefined;
  readonly #readOnlyWhenFull: boolean;

  #db: Level<string, string> | undefined;
  #meta: MetaLevel | undefined;
  #blocks: BlockLevel | undefined;
  /** Block reads asked in one turn, made as one getMany (see get-many-batcher.ts). */
  #blockReads: GetManyBatcher<string, Uint8Array | undefined> | undefined;
  #owner: CacheDirOwner | undefined;
  readonly #metas = new MetaIndex();
  /** Set while serving a read-only copy because the disk was full at open. */
  #readOnlyCopy: string | undefined;
  /**
   * Ids whose stored meta failed its checksum or would not parse at open. Such a series reads as
   * absent (so the cache refetches it). Its blocks are removed at open; if that cannot be written
   * (disk full), they go with the series' next commit or deleteSeries.
   */
  readonly unreadableMeta: string[] = [];
  /** Block keys removed at the last open because their series' meta was unreadable. */
  orphanBlocksRemoved = 0;

  constructor(options: LevelBarStoreOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new TypeError('LevelBarStore: options are required');
    if (typeof options.dir !== 'string' || options.dir.length === 0) throw new TypeError('LevelBarStore: dir must be a non-empty string');
    const lockTimeoutMs = options.lockTimeoutMs ?? 2000;
    if (!(lockTimeoutMs >= 0)) throw new TypeError(`LevelBarStore: lockTimeoutMs must be >= 0, got ${lockTimeoutMs}`);
    this.dir = path.resolve(options.dir);
    this.lockTimeoutMs = lockTimeoutMs;
    this.#now = options.now ?? Date.now;
    this.#label = options.processLabel;
    this.#readOnlyWhenFull = options.readOnlyWhenFull ?? true;
  }

  protected get description(): string {
    return `LevelBarStore at ${this.dir}`;
  }

  /** Why the store is read-only (undefined when it is not). */
  get readOnly(): { reason: 'disk full'; copy: string } | undefined {
    return this.#readOnlyCopy === undefined ? undefined : { reason: 'disk full', copy: this.#readOnlyCopy };
  }

  protected async _open(): Promise<void> {
    try {
      const location = databaseDir(this.dir);
      const kind = await stat(location).then((st) => (st.isDirectory() ? 'dir' : 'other'), () => 'none');
      if (kind === 'other') throw storeCorruptError(this.dir, new Error(`${location} is not a directory`));
      // Created here (not by LevelDB) so that a read-only or foreign dir is named with a code.
      await makeDir(location, this.dir);
      let db: Db;
      try {
        db = await this.#openWithRetry(location);
      } catch (err) {
        const coded = toStoreError(err, this.dir, true);
        if (!this.#readOnlyWhenFull || classifyStoreFailure(err) !== 'full') throw coded;
        const copy = await openReadOnlyCopy(location).catch(() => Promise.reject(coded));
        this.#readOnlyCopy = copy.location;
        db = copy.db;
      }
      this.#attach(db);
      try {
        await this.#loadMetas();
      } catch (err) {
        throw toStoreError(err, this.dir, true);
      }
      if (this.#readOnlyCopy === undefined) {
        await this.#removeOrphans();
        this.#owner = currentOwner({ now: this.#now, ...(this.#label === undefined ? {} : { command: this.#label }) });
        // Only for LOCKED messages: a full disk must not stop the cache opening.
        await writeOwner(this.dir, this.#owner).catch(() => undefined);
      }
    } catch (err) {
      await this.#detach();
      throw err;
    }
  }

  #attach(db: Db): void {
    this.#db = db;
    this.#meta = db.sublevel<string, string>('meta', { valueEncoding: 'utf8' });
    const blocks = db.sublevel<string, Uint8Array>('blocks', { valueEncoding: 'view' });
    this.#blocks = blocks;
    this.#blockReads = new GetManyBatcher((keys) => blocks.getMany(keys));
  }

  async #detach(): Promise<void> {
    const db = this.#db;
    const copy = this.#readOnlyCopy;
    this.#db = undefined;
    this.#meta = undefined;
    this.#blocks = undefined;
    this.#blockReads = undefined;
    this.#readOnlyCopy = undefined;
    await db?.close().catch(() => {});
    if (copy !== undefined) await rm(path.dirname(copy), { recursive: true, force: true }).catch(() => {});
  }

  async #openWithRetry(location: string): Promise<Db> {
    const started = performance.now();
    // A folder holding database files but no CURRENT is damaged: LevelDB would silently start an
    // empty database there (and later delete the old tables). Refuse; repair can rebuild it.
    const createIfMissing = !(await hasDatabaseFiles(location));
    let delay = 10;
    for (;;) {
      const db = new Level<string, string>(location, { keyEncoding: 'utf8', valueEncoding: 'utf8', createIfMissing });
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
    // In batches: one native call per thousand metas, not a promise per meta.
    // classic-level's own option: a sublevel passes it to the database's iterator, but its types do not name it.
    const options: object = { highWaterMarkBytes: META_BATCH_BYTES };
    const iterator = this.#meta!.iterator(options);
    try {
      for (let batch = await iterator.nextv(META_BATCH); batch.length > 0; batch = await iterator.nextv(META_BATCH)) {
        for (const [id, stored] of batch) {
          const found = unsealMeta(stored);
          if (found === undefined) {
            this.unreadableMeta.push(id);
            continue;
          }
          this.#metas.set(id, { json: found.json, meta: found.meta, bytes: seriesBytes(found.json, found.meta.blocks) });
        }
      }
    } finally {
      await iterator.close();
    }
  }

  /** Removes the blocks and meta of series whose meta was unreadable (best effort: see unreadableMeta). */
  async #removeOrphans(): Promise<void> {
    this.orphanBlocksRemoved = 0;
    if (this.unreadableMeta.length === 0) return;
    try {
      const ops = await this.#seriesDeletion(this.unreadableMeta);
      await this._writeBatch(ops);
      this.orphanBlocksRemoved = ops.length - this.unreadableMeta.length;
      this.unreadableMeta.length = 0;
    } catch {
      // Kept in unreadableMeta: the series' next commit or deletion removes them.
    }
  }

  /** Batch operations deleting every block and the meta of the given series. */
  async #seriesDeletion(ids: readonly string[]): Promise<LevelBatchOp[]> {
    const ops: LevelBatchOp[] = [];
    for (const id of ids) {
      for await (const key of this.#blocks!.keys(seriesBlockRange(id))) ops.push({ type: 'del', key, sublevel: this.#blocks });
      ops.push({ type: 'del', key: id, sublevel: this.#meta });
    }
    return ops;
  }

  protected async _close(): Promise<void> {
    try {
      // Remove our record while we still hold the lock, so we never delete a successor's.
      if (this.#owner !== undefined) await removeOwner(this.dir, this.#owner).catch(() => {});
    } finally {
      this.#owner = undefined;
      await this.#detach();
    }
  }

  protected async _getMeta(id: string): Promise<SeriesMeta | undefined> {
    return this.#metas.get(id);
  }

  protected async _listMeta(): Promise<SeriesMeta[]> {
    return this.#metas.list();
  }

  protected async _currentMeta(id: string): Promise<SeriesMeta | undefined> {
    return this.#metas.get(id);
  }

  /**
   * The stored bytes of blocks, not decoded (undefined when absent), for the distinct `starts` in
   * the order first asked for, with the block list the series' meta claims: what the shared-dir
   * leader sends its followers, who decode them and audit them against `listed` (a block the meta
   * lists but the store lacks is corrupt, exactly as readBlocks reports it here).
   */
  async readEncodedBlocks(
    id: string,
    starts: readonly number[],
  ): Promise<{ starts: number[]; encoded: (Uint8Array | undefined)[]; listed: BlockInfo[] }> {
    const meta = await this.getMeta(id); // checks that the store is open and the id is sound
    const unique = checkReadArgs(id, starts);
    try {
      return { starts: unique, encoded: await this.#blocks!.getMany(unique.map((s) => blockKey(id, s))), listed: meta?.blocks ?? [] };
    } catch (err) {
      throw toStoreError(err, this.dir);
    }
  }

  protected async _readBlocks(id: string, starts: readonly number[], options?: BlockReadOptions): Promise<BlockReadResult> {
    try {
      const values = await this.#blockReads!.get(starts.map((s) => blockKey(id, s)));
      return decodeBlocks(starts, values, options?.columnBuffer);
    } catch (err) {
      throw toStoreError(err, this.dir);
    }
  }

  protected async _applyCommits(prepared: PreparedCommit[]): Promise<void> {
    this.#assertWritable();
    // A series whose stored meta was unreadable starts afresh: drop its orphaned blocks too.
    const orphaned = [...new Set(prepared.map((p) => p.id).filter((id) => this.unreadableMeta.includes(id)))];
    const ops = await this.#seriesDeletion(orphaned);
    for (const p of prepared) {
      for (const start of p.dels) ops.push({ type: 'del', key: blockKey(p.id, start), sublevel: this.#blocks });
      for (const { start, bytes } of p.puts) ops.push({ type: 'put', key: blockKey(p.id, start), value: bytes, sublevel: this.#blocks });
      ops.push({ type: 'put', key: p.id, value: sealMeta(p.metaJson), sublevel: this.#meta });
    }
    await this.#write(ops);
    for (const p of prepared) this.#metas.set(p.id, { json: p.metaJson, meta: p.meta, bytes: p.bytes });
    for (const id of orphaned) this.unreadableMeta.splice(this.unreadableMeta.indexOf(id), 1);
  }

  protected async _deleteSeries(id: string): Promise<void> {
    this.#assertWritable();
    await this.#write(await this.#seriesDeletion([id]));
    this.#metas.set(id, undefined);
    const bad = this.unreadableMeta.indexOf(id);
    if (bad >= 0) this.unreadableMeta.splice(bad, 1);
  }

  protected async _totalBytes(): Promise<number> {
    return this.#metas.totalBytes;
  }

  #assertWritable(): void {
    if (this.#readOnlyCopy !== undefined) {
      throw diskFullError(this.dir, new Error('opened read-only: the disk was full when the cache was opened'));
    }
  }

  async #write(ops: LevelBatchOp[]): Promise<void> {
    try {
      await this._writeBatch(ops);
    } catch (err) {
      throw toStoreError(err, this.dir);
    }
  }

  /**
   * Writes one atomic LevelDB batch. Implementer's hook: tests override it to make a batch fail.
   * @internal
   */
  protected async _writeBatch(ops: LevelBatchOp[]): Promise<void> {
    // The sublevel field makes one batch span both sublevels atomically.
    await this.#db!.batch(ops as never);
  }
}

async function hasDatabaseFiles(location: string): Promise<boolean> {
  try {
    const files = await readdir(location);
    return files.some((f) => DB_FILE.test(f));
  } catch {
    return false;
  }
}
