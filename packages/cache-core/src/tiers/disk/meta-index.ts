import type { SeriesMeta } from './bar-store.js';

/** One series' meta as a store holds it: the stored JSON, its parsed form and the series' stored size. */
export interface MetaEntry {
  json: string;
  meta: SeriesMeta;
  /** Stored bytes of the series (meta JSON + blocks), see `seriesBytes`. */
  bytes: number;
}

/**
 * The in-memory copy of every series meta a BarStore keeps, with the running total of stored
 * bytes. Both backends answer getMeta/listMeta/totalBytes from it.
 */
export class MetaIndex {
  readonly #entries = new Map<string, MetaEntry>();
  #totalBytes = 0;

  /** Total stored bytes of all series in the index. */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** The stored meta of a series (shared, do not mutate or hand out), or undefined. */
  current(id: string): SeriesMeta | undefined {
    return this.#entries.get(id)?.meta;
  }

  /** A fresh copy of a series' stored meta, or undefined. */
  copy(id: string): SeriesMeta | undefined {
    const entry = this.#entries.get(id);
    return entry === undefined ? undefined : (JSON.parse(entry.json) as SeriesMeta);
  }

  /** Fresh copies of every stored meta, by id ascending. */
  list(): SeriesMeta[] {
    return [...this.#entries.keys()].sort().map((id) => JSON.parse(this.#entries.get(id)!.json) as SeriesMeta);
  }

  /** Replaces (or, with undefined, removes) a series' entry, keeping the total in step. */
  set(id: string, entry: MetaEntry | undefined): void {
    const old = this.#entries.get(id);
    if (old !== undefined) this.#totalBytes -= old.bytes;
    if (entry === undefined) this.#entries.delete(id);
    else {
      this.#entries.set(id, entry);
      this.#totalBytes += entry.bytes;
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#totalBytes = 0;
  }
}
