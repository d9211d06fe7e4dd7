import { EMPTY_LEDGER } from '../planning/coverage-ledger.js';
import { seriesId, type SeriesKey } from '../series-key.js';
import type { BarStore, BlockInfo, SeriesMeta, SeriesWrite } from '../tiers/disk/bar-store.js';
import type { TimeRange } from '../types.js';

/** L1 cost of one bar: seven Float64 columns. */
export const BYTES_PER_RESIDENT_BAR = 7 * 8;

/**
 * This process's copy of every series' meta (ledger and block index) and of the store's size, so
 * that an L1 miss needs no disk read to know what L2 holds. The store stays the truth: slow paths
 * call `reread` (another process may have committed since), `refreshAll` reloads the whole list.
 */
export class SeriesCatalog {
  readonly #store: BarStore;
  readonly #now: () => number;
  readonly #metas = new Map<string, SeriesMeta>();
  #diskBytes = 0;

  constructor(store: BarStore, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** Loads every meta and the store's size. */
  async load(): Promise<void> {
    await this.refreshAll();
  }

  /** Replaces the copy with what the store lists now. Returns the ids whose meta changed. */
  async refreshAll(): Promise<string[]> {
    const metas = await this.#store.listMeta();
    const changed: string[] = [];
    const seen = new Set<string>();
    for (const meta of metas) {
      seen.add(meta.id);
      const known = this.#metas.get(meta.id);
      if (known !== undefined && (!sameBlocks(known.blocks, meta.blocks) || refetchedSince(known, meta))) changed.push(meta.id);
      this.#metas.set(meta.id, meta);
    }
    for (const id of [...this.#metas.keys()]) {
      if (!seen.has(id)) {
        this.#metas.delete(id);
        changed.push(id);
      }
    }
    this.#diskBytes = await this.#store.totalBytes();
    return changed;
  }

  /**
   * Reads the series' meta from the store again (the truth) and keeps it. Returns it (or an empty
   * meta) and the starts of blocks that differ from the copy held before (another process wrote them).
   */
  async reread(key: SeriesKey): Promise<{ meta: SeriesMeta; changedBlocks: number[] }> {
    const id = seriesId(key);
    const before = this.#metas.get(id);
    const stored = await this.#store.getMeta(id);
    // A store that keeps its metas frozen hands out the same object while nothing changed.
    if (stored !== undefined && stored === before) return { meta: stored, changedBlocks: [] };
    if (stored === undefined) this.#metas.delete(id);
    else this.#metas.set(id, stored);
    // Another writer's fetch can rewrite a block without changing its shape (a forming bar's new
    // close, a split re-basing): when the store's fetch record moved, every block counts as changed.
    const refetched = before !== undefined && stored !== undefined && refetchedSince(before, stored);
    const changedBlocks = refetched
      ? [...new Set([...before.blocks, ...stored.blocks].map((b) => b.start))]
      : changedBlockStarts(before?.blocks ?? [], stored?.blocks ?? []);
    return { meta: this.metaOf(key), changedBlocks };
  }

  get(id: string): SeriesMeta | undefined {
    return this.#metas.get(id);
  }

  has(id: string): boolean {
    return this.#metas.has(id);
  }

  /** The series' meta, or an empty one (nothing fetched) for a series the store does not hold. */
  metaOf(key: SeriesKey): SeriesMeta {
    const id = seriesId(key);
    return (
      this.#metas.get(id) ?? {
        ...key,
        id,
        ledger: EMPTY_LEDGER,
        blocks: [],
        splits: [],
        fetchEpochs: [],
        lastAccessAt: this.#now(),
      }
    );
  }

  all(): SeriesMeta[] {
    return [...this.#metas.values()];
  }

  get size(): number {
    return this.#metas.size;
  }

  get diskBytes(): number {
    return this.#diskBytes;
  }

  /** Writes through to the store (one atomic batch) and keeps the meta as stored. */
  async commit(write: SeriesWrite): Promise<SeriesMeta> {
    const stored = await this.#store.commit(write);
    this.#metas.set(stored.id, stored);
    this.#diskBytes = await this.#store.totalBytes();
    return stored;
  }

  async deleteSeries(id: string): Promise<void> {
    await this.#store.deleteSeries(id);
    this.#metas.delete(id);
    this.#diskBytes = await this.#store.totalBytes();
  }

  async refreshBytes(): Promise<void> {
    this.#diskBytes = await this.#store.totalBytes();
  }

  /** Stored bars of the blocks overlapping `range` (from the block index: no read). */
  storedBarsIn(key: SeriesKey, range: TimeRange): number {
    let bars = 0;
    for (const b of this.metaOf(key).blocks) {
      if (b.last >= range.start && b.first < range.end) bars += b.bars;
    }
    return bars;
  }

  /** What holding `range` of the series in L1 would cost, estimated from the block index. */
  storedBytesIn(key: SeriesKey, range: TimeRange): number {
    return this.storedBarsIn(key, range) * BYTES_PER_RESIDENT_BAR;
  }
}

/** Whether another writer fetched into the series between the two metas (its blocks may differ in content only). */
function refetchedSince(before: SeriesMeta, after: SeriesMeta): boolean {
  return before.lastFetchedAt !== after.lastFetchedAt || JSON.stringify(before.ledger) !== JSON.stringify(after.ledger);
}

function sameBlock(a: BlockInfo, b: BlockInfo): boolean {
  return a.start === b.start && a.bars === b.bars && a.bytes === b.bytes && a.first === b.first && a.last === b.last;
}

function sameBlocks(a: readonly BlockInfo[], b: readonly BlockInfo[]): boolean {
  return a.length === b.length && a.every((x, i) => sameBlock(x, b[i]!));
}

/** Starts of blocks present in only one list, or described differently in the two. */
function changedBlockStarts(before: readonly BlockInfo[], after: readonly BlockInfo[]): number[] {
  if (before === after) return [];
  const old = new Map(before.map((b) => [b.start, b]));
  const changed: number[] = [];
  for (const b of after) {
    const o = old.get(b.start);
    if (o === undefined || !sameBlock(o, b)) changed.push(b.start);
    old.delete(b.start);
  }
  changed.push(...old.keys());
  return changed;
}
