import { type BarCache, type CacheStats, StatsSnapshotWriter } from '@barcache/cache-core';
import { addCacheStats } from '../stats-model.js';

/**
 * This extension host's own stats snapshot. The extension opens the cache once per command; were
 * each session to write its own snapshot, the next (a tree listing, say) would overwrite the last
 * warm's figures under the same pid. So sessions open the cache with `statsSnapshots: false` and
 * this one writer publishes the running sum of every session (plus the one in progress), as one
 * live process labelled "VS Code (Barcache extension)" until the extension deactivates.
 */
export class OwnStats {
  #dir: string | undefined;
  #writer: StatsSnapshotWriter | undefined;
  #done: CacheStats | undefined;
  readonly #open = new Set<BarCache>();
  #ticker: NodeJS.Timeout | undefined;

  constructor(private readonly label: string) {}

  /** A command opened the cache: include it, and publish at most once a second while it runs. */
  begin(cache: BarCache): void {
    if (this.#dir !== cache.dir) this.#switchDir(cache.dir);
    this.#writer ??= new StatsSnapshotWriter({ dir: cache.dir, label: this.label, getStats: () => this.current() });
    this.#open.add(cache);
    this.#ticker ??= setInterval(() => this.#writer?.touch(), 1000);
    this.#ticker.unref?.();
    this.#writer.touch();
  }

  /** The command is about to close the cache: fold its stats into the total and publish now. */
  async end(cache: BarCache): Promise<void> {
    if (!this.#open.delete(cache)) return;
    const s = safeStats(cache);
    if (s) this.#done = this.#done ? addCacheStats(this.#done, s) : s;
    if (this.#open.size === 0 && this.#ticker) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
    await this.#writer?.flush();
  }

  current(): CacheStats {
    let total = this.#done;
    for (const c of this.#open) {
      const s = safeStats(c);
      if (s) total = total ? addCacheStats(total, s) : s;
    }
    if (!total) throw new Error('no stats yet'); // the writer skips this write
    return total;
  }

  /** Marks the snapshot closed (deactivation). */
  async close(): Promise<void> {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = undefined;
    await this.#writer?.close();
    this.#writer = undefined;
  }

  #switchDir(dir: string): void {
    // A new cache dir (setting changed): close the old snapshot, start from zero for the new one.
    if (this.#writer) void this.#writer.close();
    this.#writer = undefined;
    this.#done = undefined;
    this.#dir = dir;
  }
}

function safeStats(cache: BarCache): CacheStats | undefined {
  try {
    return cache.stats();
  } catch {
    return undefined;
  }
}
