import type { BarStoreSupports, BlockReadOptions, BlockReadResult, SeriesMeta } from './bar-store.js';
import { AbstractBarStore } from './abstract-bar-store.js';
import { decodeBlocks, type PreparedCommit } from './block-commit.js';
import { MetaIndex } from './meta-index.js';

/**
 * L2 in memory (tests, `dir: ':memory:'`). Blocks are kept encoded with the same codec as on disk,
 * so sizes and checksums behave as with LevelBarStore. Data lives as long as the instance: closing
 * and reopening the same instance keeps it; a new instance starts empty.
 */
export class MemoryBarStore extends AbstractBarStore {
  readonly supports: BarStoreSupports = Object.freeze({ persistent: false, checksums: true });
  readonly #metas = new MetaIndex();
  readonly #blocks = new Map<string, Map<number, Uint8Array>>();

  protected get description(): string {
    return 'MemoryBarStore';
  }

  protected async _open(): Promise<void> {}

  protected async _close(): Promise<void> {}

  protected async _getMeta(id: string): Promise<SeriesMeta | undefined> {
    return this.#metas.get(id);
  }

  protected async _listMeta(): Promise<SeriesMeta[]> {
    return this.#metas.list();
  }

  protected async _currentMeta(id: string): Promise<SeriesMeta | undefined> {
    return this.#metas.get(id);
  }

  protected async _readBlocks(id: string, starts: readonly number[], options?: BlockReadOptions): Promise<BlockReadResult> {
    const series = this.#blocks.get(id);
    return decodeBlocks(starts, starts.map((start) => series?.get(start)), options?.columnBuffer);
  }

  protected async _applyCommits(prepared: PreparedCommit[]): Promise<void> {
    for (const p of prepared) {
      let series = this.#blocks.get(p.id);
      if (series === undefined) this.#blocks.set(p.id, (series = new Map()));
      for (const start of p.dels) series.delete(start);
      for (const { start, bytes } of p.puts) series.set(start, bytes);
      this.#metas.set(p.id, { json: p.metaJson, meta: p.meta, bytes: p.bytes });
    }
  }

  protected async _deleteSeries(id: string): Promise<void> {
    this.#blocks.delete(id);
    this.#metas.set(id, undefined);
  }

  protected async _totalBytes(): Promise<number> {
    return this.#metas.totalBytes;
  }

  /**
   * The stored encoded bytes of one block, by reference (not a copy), or undefined. For tests and
   * tools: flipping a byte here is how the store contract simulates disk corruption.
   */
  peekEncodedBlock(id: string, start: number): Uint8Array | undefined {
    return this.#blocks.get(id)?.get(start);
  }

  /**
   * Removes one block's stored bytes behind the meta's back (the meta still lists it). For tests:
   * this is what a disk that loses a write does.
   */
  loseEncodedBlock(id: string, start: number): boolean {
    return this.#blocks.get(id)?.delete(start) ?? false;
  }
}
