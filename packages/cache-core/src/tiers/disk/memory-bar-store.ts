import { BarcacheError, ErrorCode } from '../../errors.js';
import type { BarStore, BarStoreSupports, BlockReadResult, SeriesLease, SeriesMeta, SeriesWrite } from './bar-store.js';
import { LocalLeases } from './local-leases.js';
import { checkReadArgs, checkSeriesId, decodeBlocks, prepareCommits } from './block-commit.js';
import { MetaIndex } from './meta-index.js';

/**
 * L2 in memory (tests, `dir: ':memory:'`). Blocks are kept encoded with the same codec as on disk,
 * so sizes and checksums behave as with LevelBarStore. Data lives as long as the instance: closing
 * and reopening the same instance keeps it; a new instance starts empty.
 */
export class MemoryBarStore implements BarStore {
  readonly supports: BarStoreSupports = Object.freeze({ persistent: false, checksums: true });
  #open = false;
  readonly #metas = new MetaIndex();
  readonly #leases = new LocalLeases();
  readonly #blocks = new Map<string, Map<number, Uint8Array>>();

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
    return this.#metas.copy(id);
  }

  async listMeta(): Promise<SeriesMeta[]> {
    this.#assertOpen();
    return this.#metas.list();
  }

  async readBlocks(id: string, starts: readonly number[]): Promise<BlockReadResult> {
    this.#assertOpen();
    const unique = checkReadArgs(id, starts);
    const series = this.#blocks.get(id);
    return decodeBlocks(unique, unique.map((start) => series?.get(start)));
  }

  async commit(write: SeriesWrite): Promise<SeriesMeta> {
    const [meta] = await this.commitMany([write]);
    return meta!;
  }

  async commitMany(writes: SeriesWrite[]): Promise<SeriesMeta[]> {
    this.#assertOpen();
    if (!Array.isArray(writes)) throw new TypeError('commitMany: expected an array of writes');
    // Prepare everything first (this is where a bad write throws), then apply: all or nothing.
    const prepared = prepareCommits(writes, (id) => this.#metas.current(id));
    for (const p of prepared) {
      let series = this.#blocks.get(p.id);
      if (series === undefined) this.#blocks.set(p.id, (series = new Map()));
      for (const start of p.dels) series.delete(start);
      for (const { start, bytes } of p.puts) series.set(start, bytes);
      this.#metas.set(p.id, { json: p.metaJson, meta: p.meta, bytes: p.bytes });
    }
    return prepared.map((p) => JSON.parse(p.metaJson) as SeriesMeta);
  }

  async deleteSeries(id: string): Promise<void> {
    this.#assertOpen();
    checkSeriesId(id);
    this.#blocks.delete(id);
    this.#metas.set(id, undefined);
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
   * The stored encoded bytes of one block, by reference (not a copy), or undefined. For tests and
   * tools: flipping a byte here is how the store contract simulates disk corruption.
   */
  peekEncodedBlock(id: string, start: number): Uint8Array | undefined {
    return this.#blocks.get(id)?.get(start);
  }
}
