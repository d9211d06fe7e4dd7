import type { BarColumns } from '../bar-columns.js';
import { blockEndOf } from '../planning/block-layout.js';
import { dropFromLedger } from '../planning/coverage-ledger.js';
import { dropFetchEpochs } from '../planning/split-basis.js';
import type { SeriesMeta } from '../tiers/disk/bar-store.js';
import type { TimeRange } from '../types.js';
import type { CacheContext } from './cache-context.js';
import type { ParsedClearFilter } from './query-parsing.js';

/** The very beginning of time for range arithmetic (Date's lower limit). */
const TIME_MIN = -8.64e15;

/**
 * Maintenance: clear (whole series or the bars before a time), the disk budget (whole
 * least-recently-used series are evicted, never one in use) and the last step of close.
 */
export class Maintenance {
  readonly #ctx: CacheContext;

  constructor(ctx: CacheContext) {
    this.#ctx = ctx;
  }

  async clear(filter: ParsedClearFilter): Promise<void> {
    const { catalog, mutex, memory } = this.#ctx;
    const { symbol, interval, before } = filter;
    const matching = catalog
      .all()
      .filter((m) => (symbol === undefined || m.symbol === symbol) && (interval === undefined || m.interval === interval));
    for (const { id } of matching) {
      await mutex.run(id, async () => {
        // Re-read under the lock: a fill may have changed the series since the list was made.
        const meta = catalog.get(id);
        if (meta === undefined) return;
        if (before === undefined) await catalog.deleteSeries(meta.id);
        else await this.#clearBefore(meta, before);
        memory.delete(meta.id);
      });
    }
    await catalog.refreshBytes();
    this.#ctx.touchSnapshots();
  }

  async #clearBefore(meta: SeriesMeta, before: number): Promise<void> {
    const dropped = { start: TIME_MIN, end: before };
    const del = meta.blocks.filter((b) => blockEndOf(meta.interval, b.start) <= before).map((b) => b.start);
    const straddling = meta.blocks.filter((b) => b.start < before && blockEndOf(meta.interval, b.start) > before).map((b) => b.start);
    const put = new Map<number, BarColumns>();
    const corrupt: TimeRange[] = [];
    if (straddling.length > 0) {
      const read = await this.#ctx.store.readBlocks(meta.id, straddling);
      for (const [b, cols] of read.blocks) {
        const kept = cols.without(dropped);
        if (kept.length > 0) put.set(b, kept);
        else del.push(b);
      }
      del.push(...read.corrupt);
      corrupt.push(...read.corrupt.map((b) => ({ start: b, end: blockEndOf(meta.interval, b) })));
    }
    let epochs = dropFetchEpochs(meta.fetchEpochs ?? [], dropped);
    for (const r of corrupt) epochs = dropFetchEpochs(epochs, r);
    await this.#ctx.catalog.commit({
      meta: { ...meta, ledger: dropFromLedger(meta.ledger, [dropped, ...corrupt]), fetchEpochs: epochs },
      put,
      del,
    });
  }

  /** Evicts whole least-recently-used series past the disk budget, never one in use. */
  async enforceDiskBudget(inUse: Set<string>): Promise<void> {
    const { catalog, memory, mutex, diskMaxBytes } = this.#ctx;
    if (!Number.isFinite(diskMaxBytes) || catalog.diskBytes <= diskMaxBytes) return;
    const candidates = catalog
      .all()
      .filter((m) => !inUse.has(m.id) && !memory.isPinned(m.id) && !mutex.isBusy(m.id))
      .sort((a, b) => a.lastAccessAt - b.lastAccessAt);
    for (const m of candidates) {
      if (catalog.diskBytes <= diskMaxBytes) break;
      // Checked again now: an earlier eviction's await may have let a reader or a session in.
      if (memory.isPinned(m.id) || mutex.isBusy(m.id) || !catalog.has(m.id)) continue;
      await mutex.run(m.id, async () => {
        memory.delete(m.id);
        await catalog.deleteSeries(m.id);
      });
    }
  }

  /** Lets running fills finish (nothing is left half-written), then closes the tiers. */
  async close(onClosed: () => Promise<void>): Promise<void> {
    const { mutex, memory, lifecycle } = this.#ctx;
    await Promise.all([...mutex.busyKeys()].map((id) => mutex.run(id, async () => undefined)));
    lifecycle.closed = true;
    memory.clear();
    await onClosed();
    await this.#ctx.store.close();
  }
}
