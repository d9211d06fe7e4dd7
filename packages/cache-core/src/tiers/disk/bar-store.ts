import type { BarColumns } from '../../bar-columns.js';
import type { Split, TimeRange } from '../../types.js';
import type { Ledger } from '../../planning/coverage-ledger.js';
import type { SeriesKey } from '../../series-key.js';
import type { FetchEpoch } from '../../planning/split-basis.js';

/** What one stored block holds (bars whose time is in [start, blockEnd)). */
export interface BlockInfo {
  /** Block start (see planning/block-layout.ts); the block's key. */
  start: number;
  bars: number;
  /** Encoded size on disk, bytes. */
  bytes: number;
  /** First and last bar time in the block. */
  first: number;
  last: number;
  /**
   * Whether the block has an adjusted-close column (absent in metas written before this field):
   * lets a load size its columns before it reads the blocks.
   */
  adjClose?: boolean;
}

/** Everything the cache knows about a series besides its bars. Stored under one key per series. */
export interface SeriesMeta extends SeriesKey {
  id: string;
  /** Which time ranges have been fetched (final and provisional). Never claims bars not on disk. */
  ledger: Ledger;
  /** Blocks present in the store, ascending by start. Maintained by `commit`. */
  blocks: BlockInfo[];
  /** Splits the stored bars are already adjusted for (the adjustment basis). */
  splits: Split[];
  /** When each stored range was last fetched: decides which bars a newly reported split re-bases. */
  fetchEpochs?: FetchEpoch[];
  lastFetchedAt?: number;
  lastAccessAt: number;
  /** The exchange's IANA time zone, when the provider said. */
  timezone?: string;
}

export interface SeriesWrite {
  /** The new meta. `blocks` is recomputed by the store from what the batch leaves. */
  meta: SeriesMeta;
  /** Blocks to write whole (replacing any stored block with the same start). */
  put?: Map<number, BarColumns>;
  /** Block starts to delete. */
  del?: number[];
}

/**
 * A zeroed region of exactly `bytes` for a read's decoded columns (one allocation per read), or
 * undefined to allocate afresh: how a prefetch hands its prepared memory to the decoder.
 */
export type ColumnBufferSource = (bytes: number) => Uint8Array | undefined;

export interface BlockReadOptions {
  columnBuffer?: ColumnBufferSource;
}

export interface BlockReadResult {
  /** Decoded blocks by start; missing keys are simply absent. */
  blocks: Map<number, BarColumns>;
  /** Starts of blocks that failed their checksum or would not decode. Not deleted by the read. */
  corrupt: number[];
}

/** The right to fill one series, held by one caller among every process using the store. */
export interface SeriesLease {
  /** Increases with every grant of this series' lease (a fencing token). */
  readonly token: number;
  release(): Promise<void>;
}

export interface BarStoreSupports {
  /** Data survives close() and open() of a new instance on the same location. */
  persistent: boolean;
  /** Blocks carry a checksum and corruption is detected on read. */
  checksums: boolean;
  /**
   * How many series a prefetch should read from this store at once, when more than its default
   * helps: a follower's store gathers concurrent reads into one round trip to the leader.
   */
  readConcurrency?: number;
  /**
   * Reads are served by another process on this machine (a follower's store, by its leader): that
   * process is busy on the other core during a load, so a prefetch does not pre-fault its columns
   * on a worker thread there (measured: a follower's 500 × 10-year load 8% slower with it). It
   * still takes them in huge pages where the machine has them (the same load 573 → 402 ms: without
   * them its first writes fault 4 KiB at a time on the loading thread).
   */
  servedByAnotherProcess?: boolean;
}

/**
 * L2: where series live between processes. Implementations: LevelBarStore (LevelDB on disk)
 * and MemoryBarStore (tests, `dir: ':memory:'`). Both pass test/store-contract.ts.
 */
export interface BarStore {
  readonly supports: BarStoreSupports;
  /** Opens the store. LevelBarStore waits up to `lockTimeoutMs`, then throws LOCKED naming the holder. */
  open(): Promise<void>;
  close(): Promise<void>;
  /** The stored meta (read only: it may be the store's own frozen object). */
  getMeta(id: string): Promise<SeriesMeta | undefined>;
  listMeta(): Promise<SeriesMeta[]>;
  /** `options.columnBuffer`: where a read's decoded columns may go (see BlockReadOptions). */
  readBlocks(id: string, starts: readonly number[], options?: BlockReadOptions): Promise<BlockReadResult>;
  /** Writes blocks and meta in one atomic batch; returns the meta as stored (blocks recomputed). */
  commit(write: SeriesWrite): Promise<SeriesMeta>;
  /** Writes several series' changes in one atomic batch. */
  commitMany(writes: SeriesWrite[]): Promise<SeriesMeta[]>;
  /** Removes the series' blocks and meta in one batch. */
  deleteSeries(id: string): Promise<void>;
  /** Total encoded bytes of all stored blocks and metas. */
  totalBytes(): Promise<number>;
  /**
   * Waits until this caller is the only one filling series `id` among every process using the
   * store, then resolves. Local stores: an in-process FIFO per id. Rejects with ABORTED when
   * `signal` aborts while waiting.
   */
  lease(id: string, options?: { signal?: AbortSignal }): Promise<SeriesLease>;
}

export type { TimeRange };
