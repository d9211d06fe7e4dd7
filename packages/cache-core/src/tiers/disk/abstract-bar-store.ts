import { BarcacheError, ErrorCode } from '../../errors.js';
import type { BarStore, BarStoreSupports, BlockReadOptions, BlockReadResult, SeriesLease, SeriesMeta, SeriesWrite } from './bar-store.js';
import { auditBlocks, sameBlockList } from './block-audit.js';
import { checkReadArgs, checkSeriesId, prepareCommits, type PreparedCommit } from './block-commit.js';
import { LocalLeases } from './local-leases.js';

export type StoreStatus = 'closed' | 'opening' | 'open' | 'closing';

/** How many times readBlocks re-reads when a commit changed the series' blocks during the read. */
const MAX_AUDIT_REREADS = 2;

/**
 * The base every BarStore extends, in the manner of abstract-level: the public methods check the
 * store's state and their arguments once, serialise writes, and call the protected `_…` methods,
 * which can trust what they are given. A backend implements the `_…` methods only.
 *
 * What the base guarantees for every backend:
 * - `open()`/`close()` are idempotent; every other method throws CLOSED unless open.
 * - Commits and deletions run one after another (each builds on the previous one's result).
 * - `readBlocks` never answers short in silence: a block the series' meta lists but the backend
 *   does not return (lost by the disk, or older than the meta says) is reported in `corrupt`,
 *   like one that fails its checksum, so the cache drops it from the ledger and refetches it.
 * - `lease()` defaults to an in-process FIFO per series (LocalLeases); a store shared by several
 *   processes overrides `_lease`.
 */
export abstract class AbstractBarStore implements BarStore {
  abstract readonly supports: BarStoreSupports;
  #status: StoreStatus = 'closed';
  readonly #leases = new LocalLeases();
  #writeChain: Promise<unknown> = Promise.resolve();

  get status(): StoreStatus {
    return this.#status;
  }

  /** How this store names itself in errors, e.g. 'LevelBarStore at /home/me/.cache/barcache'. */
  protected abstract get description(): string;

  async open(): Promise<void> {
    if (this.#status === 'open') return;
    if (this.#status !== 'closed') throw new TypeError(`${this.description}: cannot open while ${this.#status}`);
    this.#status = 'opening';
    try {
      await this._open();
      this.#status = 'open';
    } catch (err) {
      this.#status = 'closed';
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.#status === 'closed' || this.#status === 'closing') return;
    if (this.#status === 'opening') throw new TypeError(`${this.description}: close() while opening`);
    this.#status = 'closing';
    try {
      await this.#writeChain.catch(() => {});
      await this._close();
    } finally {
      this.#status = 'closed';
    }
  }

  async getMeta(id: string): Promise<SeriesMeta | undefined> {
    this.#assertOpen();
    checkSeriesId(id);
    return this._getMeta(id);
  }

  async listMeta(): Promise<SeriesMeta[]> {
    this.#assertOpen();
    return this._listMeta();
  }

  async readBlocks(id: string, starts: readonly number[], options?: BlockReadOptions): Promise<BlockReadResult> {
    this.#assertOpen();
    const unique = checkReadArgs(id, starts);
    if (unique.length === 0) return { blocks: new Map(), corrupt: [] };
    for (let attempt = 0; ; attempt++) {
      const before = await this._currentMeta(id);
      const read = await this._readBlocks(id, unique, options);
      const audited = auditBlocks(before?.blocks ?? [], unique, read);
      if (audited.corrupt.length === read.corrupt.length) return audited;
      // A block looks lost or stale: make sure no commit replaced it while we read.
      const after = await this._currentMeta(id);
      if (attempt >= MAX_AUDIT_REREADS || sameBlockList(before?.blocks ?? [], after?.blocks ?? [])) return audited;
    }
  }

  async commit(write: SeriesWrite): Promise<SeriesMeta> {
    const [meta] = await this.commitMany([write]);
    return meta!;
  }

  async commitMany(writes: SeriesWrite[]): Promise<SeriesMeta[]> {
    this.#assertOpen();
    if (!Array.isArray(writes)) throw new TypeError('commitMany: expected an array of writes');
    return this.#exclusive(() => this._commitMany(writes));
  }

  async deleteSeries(id: string): Promise<void> {
    this.#assertOpen();
    checkSeriesId(id);
    await this.#exclusive(() => this._deleteSeries(id));
  }

  async totalBytes(): Promise<number> {
    this.#assertOpen();
    return this._totalBytes();
  }

  async lease(id: string, options: { signal?: AbortSignal } = {}): Promise<SeriesLease> {
    this.#assertOpen();
    checkSeriesId(id);
    return this._lease(id, options.signal);
  }

  // ---------------------------------------------------------------------------------------------
  // What a backend implements (arguments already checked, the store open).

  protected abstract _open(): Promise<void>;
  protected abstract _close(): Promise<void>;
  /** A meta the caller may keep but never change: a copy, or the backend's own deeply frozen object. */
  protected abstract _getMeta(id: string): Promise<SeriesMeta | undefined>;
  /** The same for every series, by id ascending. */
  protected abstract _listMeta(): Promise<SeriesMeta[]>;
  /** The stored meta as the backend holds it (may be shared: read it, never change it). */
  protected abstract _currentMeta(id: string): Promise<SeriesMeta | undefined>;
  /** Reads and decodes blocks (distinct, checked starts); absent keys are simply absent. */
  protected abstract _readBlocks(id: string, starts: readonly number[], options?: BlockReadOptions): Promise<BlockReadResult>;
  /** Applies prepared writes in one atomic batch (see `_commitMany`). */
  protected abstract _applyCommits(prepared: PreparedCommit[]): Promise<void>;
  protected abstract _deleteSeries(id: string): Promise<void>;
  protected abstract _totalBytes(): Promise<number>;

  /**
   * Checks and encodes the writes against the stored metas (a malformed write throws before
   * anything is applied), then applies them. Runs inside the write queue. A backend that ships
   * writes elsewhere whole may override it.
   */
  protected async _commitMany(writes: SeriesWrite[]): Promise<SeriesMeta[]> {
    const current = new Map<string, SeriesMeta | undefined>();
    for (const w of writes) {
      const id = w?.meta?.id;
      if (typeof id === 'string' && !current.has(id)) current.set(id, await this._currentMeta(id));
    }
    const prepared = prepareCommits(writes, (id) => current.get(id));
    if (prepared.length === 0) return [];
    await this._applyCommits(prepared);
    return prepared.map((p) => JSON.parse(p.metaJson) as SeriesMeta);
  }

  /** The fill lease: an in-process FIFO per series. A store shared between processes overrides it. */
  protected _lease(id: string, signal: AbortSignal | undefined): Promise<SeriesLease> {
    return this.#leases.acquire(id, signal);
  }

  #assertOpen(): void {
    if (this.#status !== 'open') {
      throw new BarcacheError(ErrorCode.CLOSED, `${this.description} is not open (${this.#status})`);
    }
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#writeChain.then(fn, fn);
    this.#writeChain = run.catch(() => {});
    return run;
  }
}
