import type { BarColumns } from '../bar-columns.js';
import { decodeBlock } from '../bar-block-codec.js';
import { BarcacheError, ErrorCode, isBarcacheError } from '../errors.js';
import type { BarStore, BarStoreSupports, BlockReadResult, SeriesMeta, SeriesWrite } from './bar-store.js';
import { checkBlockStart, checkSeriesId, prepareCommit, type PreparedCommit } from './block-commit.js';

interface MetaEntry {
  json: string;
  meta: SeriesMeta;
  bytes: number;
}

/**
 * L2 in memory (tests, `dir: ':memory:'`). Blocks are kept encoded with the same codec as on disk,
 * so sizes and checksums behave as with LevelBarStore. Data lives as long as the instance: closing
 * and reopening the same instance keeps it; a new instance starts empty.
 */
export class MemoryBarStore implements BarStore {
  readonly supports: BarStoreSupports = Object.freeze({ persistent: false, checksums: true });
  #open = false;
  readonly #metas = new Map<string, MetaEntry>();
  readonly #blocks = new Map<string, Map<number, Uint8Array>>();
  #totalBytes = 0;

  async open(): Promise<void> {
    this.#open = true;
  }

  async close(): Promise<void> {
    this.#open = false;
  }

  #assertOpen(): void {
    if (!this.#open) throw new BarcacheError(ErrorCode.CLOSED, 'MemoryBarStore is not open');
  }

  async getMeta(id: string): Promise<SeriesMeta | undefined> {
    this.#assertOpen();
    checkSeriesId(id);
    const entry = this.#metas.get(id);
    return entry === undefined ? undefined : (JSON.parse(entry.json) as SeriesMeta);
  }

  async listMeta(): Promise<SeriesMeta[]> {
    this.#assertOpen();
    return [...this.#metas.keys()].sort().map((id) => JSON.parse(this.#metas.get(id)!.json) as SeriesMeta);
  }

  async readBlocks(id: string, starts: readonly number[]): Promise<BlockReadResult> {
    this.#assertOpen();
    checkSeriesId(id);
    if (!Array.isArray(starts)) throw new TypeError('readBlocks: starts must be an array');
    for (const s of starts) checkBlockStart(s);
    const series = this.#blocks.get(id);
    const blocks = new Map<number, BarColumns>();
    const corrupt: number[] = [];
    for (const start of new Set(starts)) {
      const bytes = series?.get(start);
      if (bytes === undefined) continue;
      try {
        blocks.set(start, decodeBlock(bytes));
      } catch (err) {
        if (!isBarcacheError(err, ErrorCode.CORRUPT_BLOCK)) throw err;
        corrupt.push(start);
      }
    }
    return { blocks, corrupt };
  }

  async commit(write: SeriesWrite): Promise<SeriesMeta> {
    const [meta] = await this.commitMany([write]);
    return meta!;
  }

  async commitMany(writes: SeriesWrite[]): Promise<SeriesMeta[]> {
    this.#assertOpen();
    if (!Array.isArray(writes)) throw new TypeError('commitMany: expected an array of writes');
    // Prepare everything first (this is where a bad write throws), then apply: all or nothing.
    const working = new Map<string, SeriesMeta | undefined>();
    const prepared: PreparedCommit[] = [];
    for (const w of writes) {
      const id = w?.meta?.id;
      const current = working.has(id) ? working.get(id) : this.#metas.get(id)?.meta;
      const p = prepareCommit(w, current);
      working.set(p.id, p.meta);
      prepared.push(p);
    }
    for (const p of prepared) {
      let series = this.#blocks.get(p.id);
      if (series === undefined) this.#blocks.set(p.id, (series = new Map()));
      for (const start of p.dels) series.delete(start);
      for (const { start, bytes } of p.puts) series.set(start, bytes);
      this.#setEntry(p.id, { json: p.metaJson, meta: p.meta, bytes: p.bytes });
    }
    return prepared.map((p) => JSON.parse(p.metaJson) as SeriesMeta);
  }

  async deleteSeries(id: string): Promise<void> {
    this.#assertOpen();
    checkSeriesId(id);
    this.#blocks.delete(id);
    this.#setEntry(id, undefined);
  }

  async totalBytes(): Promise<number> {
    this.#assertOpen();
    return this.#totalBytes;
  }

  /**
   * The stored encoded bytes of one block, by reference (not a copy), or undefined. For tests and
   * tools: flipping a byte here is how the store contract simulates disk corruption.
   */
  peekEncodedBlock(id: string, start: number): Uint8Array | undefined {
    return this.#blocks.get(id)?.get(start);
  }

  #setEntry(id: string, entry: MetaEntry | undefined): void {
    const old = this.#metas.get(id);
    if (old !== undefined) this.#totalBytes -= old.bytes;
    if (entry === undefined) this.#metas.delete(id);
    else {
      this.#metas.set(id, entry);
      this.#totalBytes += entry.bytes;
    }
  }
}
