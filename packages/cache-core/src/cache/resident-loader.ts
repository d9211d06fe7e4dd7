import { BarColumns } from '../bar-columns.js';
import { blockEndOf, blockSpans, blocksOverlapping, blockStartOf } from '../planning/block-layout.js';
import { dropFromLedger, EMPTY_LEDGER, freshCoverage } from '../planning/coverage-ledger.js';
import { coversRange, intersectRanges, subtractRanges, unionRanges } from '../planning/ranges.js';
import { dropFetchEpochs } from '../planning/split-basis.js';
import { seriesId, type SeriesKey } from '../series-key.js';
import { emptyResident, replaceColumns, setSettled, type ResidentSeries } from '../tiers/memory/memory-tier.js';
import type { Interval, TimeRange } from '../types.js';
import type { CacheContext } from './cache-context.js';

/**
 * Moves bars from L2 (the store) into L1 (the memory tier) and keeps each resident series' view of
 * what it may serve (`servable`, `validUntil`) in step with the ledger. A block that fails its
 * checksum is deleted and its range leaves the ledger in one batch, so the next fill refetches it.
 */
export class ResidentLoader {
  readonly #ctx: CacheContext;

  constructor(ctx: CacheContext) {
    this.#ctx = ctx;
  }

  /** Makes L1 hold every stored bar of `want`'s blocks; `corrupt` says a block was dropped. */
  async ensureResident(key: SeriesKey, want: TimeRange): Promise<{ entry: ResidentSeries; corrupt: boolean }> {
    const { memory, catalog, store } = this.#ctx;
    const id = seriesId(key);
    const now = this.#ctx.now();
    const entry = memory.get(id) ?? emptyResident(id, key.interval);
    const meta = catalog.metaOf(key);
    const storedStarts = new Set(meta.blocks.map((b) => b.start));
    const wanted = blocksOverlapping(key.interval, want);
    // A series not yet resident (a warm load's every series) misses every block: no range checks.
    const missing =
      entry.loaded.length === 0 ? wanted : wanted.filter((b) => !coversRange(entry.loaded, { start: b, end: blockEndOf(key.interval, b) }));
    const toRead = missing.filter((b) => storedStarts.has(b));
    let corrupt: number[] = [];
    if (toRead.length > 0) {
      const read = await store.readBlocks(id, toRead, this.#ctx.prefaulted?.readOptions);
      corrupt = read.corrupt;
      const decoded = [...read.blocks.entries()].sort((a, b) => a[0] - b[0]).map(([, cols]) => cols);
      if (decoded.length > 0) replaceColumns(entry, BarColumns.merge(entry.columns, BarColumns.concat(decoded)));
    }
    const loadedNow = corrupt.length === 0 ? missing : missing.filter((b) => !corrupt.includes(b));
    entry.loaded = unionRanges(entry.loaded, blockSpans(key.interval, loadedNow, loadedNow === wanted));
    if (corrupt.length > 0) await this.#dropCorruptBlocks(key, corrupt);
    this.refreshServable(entry, now);
    return { entry, corrupt: corrupt.length > 0 };
  }

  /** Reads blocks about to be rewritten, preferring what L1 already holds whole. */
  async readBlocksForWrite(key: SeriesKey, starts: readonly number[]): Promise<{ blocks: Map<number, BarColumns>; corrupt: number[] }> {
    const id = seriesId(key);
    const blocks = new Map<number, BarColumns>();
    const entry = this.#ctx.memory.get(id);
    const toRead: number[] = [];
    for (const b of starts) {
      const range = { start: b, end: blockEndOf(key.interval, b) };
      if (entry !== undefined && coversRange(entry.loaded, range)) blocks.set(b, entry.columns.filterRange(range));
      else toRead.push(b);
    }
    if (toRead.length === 0) return { blocks, corrupt: [] };
    const read = await this.#ctx.store.readBlocks(id, toRead);
    for (const [b, cols] of read.blocks) blocks.set(b, cols);
    return { blocks, corrupt: read.corrupt };
  }

  /** After a commit: L1 now holds `written` blocks whole (what was stored plus what arrived). */
  patch(key: SeriesKey, replacedStarts: readonly number[], written: Map<number, BarColumns>, now: number): void {
    const { memory } = this.#ctx;
    const id = seriesId(key);
    const entry = memory.get(id) ?? emptyResident(id, key.interval);
    const replaced = replacedStarts.map((b) => ({ start: b, end: blockEndOf(key.interval, b) }));
    let columns = entry.columns;
    for (const r of replaced) columns = columns.without(r);
    const fresh = [...written.keys()].sort((a, b) => a - b).map((b) => written.get(b)!);
    replaceColumns(entry, BarColumns.merge(columns, BarColumns.concat(fresh)));
    entry.loaded = unionRanges(entry.loaded, replaced);
    this.refreshServable(entry, now);
  }

  /** Forgets blocks another process rewrote: L1 reloads them from the store on the next read. */
  forgetBlocks(key: SeriesKey, starts: readonly number[]): void {
    if (starts.length === 0) return;
    const entry = this.#ctx.memory.get(seriesId(key));
    if (entry === undefined) return;
    const ranges = starts.map((b) => ({ start: b, end: blockEndOf(key.interval, b) }));
    let columns = entry.columns;
    for (const r of ranges) columns = columns.without(r);
    replaceColumns(entry, columns);
    entry.loaded = subtractRanges(entry.loaded, ranges);
    this.refreshServable(entry, this.#ctx.now());
  }

  /** Drops blocks outside the window: own memory, and what L1 may serve shrinks in the same step. */
  dropBlocks(entry: ResidentSeries, interval: Interval, starts: readonly number[]): void {
    const dropped = starts.map((b) => ({ start: b, end: blockEndOf(interval, b) }));
    let columns = entry.columns;
    for (const r of dropped) columns = columns.without(r);
    // A copy: a view would keep the dropped blocks' buffer alive.
    replaceColumns(entry, columns.copy());
    entry.loaded = subtractRanges(entry.loaded, dropped);
    this.refreshServable(entry, this.#ctx.now());
  }

  /** Keeps only the blocks of `range` resident (a fill may have put the whole series in L1). */
  trimToWindow(entry: ResidentSeries, interval: Interval, range: TimeRange): void {
    const keep = { start: blockStartOf(interval, range.start), end: blockEndOf(interval, Math.max(range.start, range.end - 1)) };
    replaceColumns(entry, entry.columns.filterRange(keep).copy());
    entry.loaded = intersectRanges(entry.loaded, [keep]);
    this.refreshServable(entry, this.#ctx.now());
  }

  /** Recomputes what L1 may serve for this series without looking at the ledger again. */
  refreshServable(entry: ResidentSeries, now: number): void {
    const ttl = this.#ctx.provisionalTtlMs;
    const ledger = this.#ctx.catalog.get(entry.id)?.ledger ?? EMPTY_LEDGER;
    entry.servable = intersectRanges(entry.loaded, freshCoverage(ledger, now, ttl));
    setSettled(entry, intersectRanges(entry.loaded, ledger.final));
    let validUntil = Number.POSITIVE_INFINITY;
    for (const p of ledger.provisional) {
      const expiry = p.fetchedAt + ttl;
      if (expiry > now && intersectRanges([p], entry.loaded).length > 0) validUntil = Math.min(validUntil, expiry);
    }
    entry.validUntil = validUntil;
    this.#ctx.memory.set(entry);
  }

  async #dropCorruptBlocks(key: SeriesKey, corrupt: number[]): Promise<void> {
    const meta = this.#ctx.catalog.metaOf(key);
    const ranges = corrupt.map((b) => ({ start: b, end: blockEndOf(key.interval, b) }));
    let epochs = meta.fetchEpochs ?? [];
    for (const r of ranges) epochs = dropFetchEpochs(epochs, r);
    await this.#ctx.catalog.commit({ meta: { ...meta, ledger: dropFromLedger(meta.ledger, ranges), fetchEpochs: epochs }, del: corrupt });
    this.#ctx.counters.corruptBlocks += corrupt.length;
  }
}
