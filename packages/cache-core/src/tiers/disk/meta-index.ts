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

  /**
   * A series' stored meta, or undefined: the index's own object, deeply frozen when it was set, so
   * it is handed out as is (no parse per read) and an unchanged meta is the same object on every
   * read, which lets a reader tell "nothing changed" by identity.
   */
  get(id: string): SeriesMeta | undefined {
    return this.#entries.get(id)?.meta;
  }

  /** Every stored meta (frozen, see `get`), by id ascending. */
  list(): SeriesMeta[] {
    return [...this.#entries.keys()].sort().map((id) => this.#entries.get(id)!.meta);
  }

  /** Replaces (or, with undefined, removes) a series' entry, keeping the total in step. */
  set(id: string, entry: MetaEntry | undefined): void {
    const old = this.#entries.get(id);
    if (old !== undefined) this.#totalBytes -= old.bytes;
    if (entry === undefined) this.#entries.delete(id);
    else {
      deepFreeze(entry.meta);
      this.#entries.set(id, entry);
      this.#totalBytes += entry.bytes;
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#totalBytes = 0;
  }
}

/** Freezes an object graph of plain objects and arrays (a parsed meta). */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  // Index and key loops: Object.values would allocate an array per object (a meta has dozens).
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  else for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
}
