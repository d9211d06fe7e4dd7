import { LRUCache } from 'lru-cache';
import { BarColumns } from '../../bar-columns.js';
import { ColumnSlice } from '../../column-views.js';
import type { Bar, Interval, TimeRange } from '../../types.js';
import { seekWindow, stepWindow } from './window-search.js';

/** One series as L1 holds it: decoded bars in columnar typed arrays. */
export interface ResidentSeries {
  readonly id: string;
  readonly interval: Interval;
  /** The bars. Replace only through `replaceColumns`, which keeps `rows` consistent. */
  columns: BarColumns;
  /**
   * The same bars as frozen row objects, built on the first read and shared by every read after:
   * a lookback is then a binary search and an Array.slice, like slicing a preloaded array.
   */
  rows: readonly Bar[] | undefined;
  /** Ranges (block-aligned) for which `columns` holds every stored bar. */
  loaded: TimeRange[];
  /** `loaded` ∩ the ledger's fresh coverage, as of the last update. A query inside it is an L1 hit. */
  servable: TimeRange[];
  /** `servable` holds until this time (the earliest provisional range's expiry), then is recomputed. */
  validUntil: number;
  /**
   * `loaded` ∩ the ledger's final coverage, as of the last update (set through `setSettled`): the
   * part of `servable` that no clock can expire (no forming bar in it). A query inside it is an L1
   * hit without reading the clock.
   */
  settled: TimeRange[];
  /**
   * [start, end) of the longest range of `settled` (NaN when none: every comparison fails), as unboxed doubles: the hot
   * path's coverage check reads two numbers next to each other instead of chasing an array, a range
   * object and two boxed numbers per series.
   */
  readonly settledSpan: Float64Array;
  /** Where the last window sliced from this series began, and its length: the next search starts there (window-search.ts, WindowCursor). */
  hintFrom: number;
  hintLength: number;
  /** Set for a series too large to hold whole: L1 keeps a window around the backtest's cursor. */
  window?: SlidingWindowState;
}

/** A windowed series' state (the policy itself is planning/sliding-window.ts). */
export interface SlidingWindowState {
  lookbackMs: number;
  aheadMs: number;
  /** The session's whole range: blocks outside it are never loaded. */
  range: TimeRange;
  /** The cursor at which the window is next moved (a read past it triggers a background advance). */
  nextAdvanceAt: number;
  advancing: boolean;
}

export function emptyResident(id: string, interval: Interval): ResidentSeries {
  return {
    id,
    interval,
    columns: BarColumns.empty(),
    rows: undefined,
    loaded: [],
    servable: [],
    validUntil: Number.POSITIVE_INFINITY,
    settled: [],
    settledSpan: Float64Array.of(NaN, NaN),
    hintFrom: 0,
    hintLength: 0,
  };
}

/** Sets what of `entry` is settled (see ResidentSeries.settled), and its longest span. */
export function setSettled(entry: ResidentSeries, settled: TimeRange[]): void {
  entry.settled = settled;
  let longest: TimeRange | undefined;
  for (const r of settled) if (longest === undefined || r.end - r.start > longest.end - longest.start) longest = r;
  entry.settledSpan[0] = longest?.start ?? NaN;
  entry.settledSpan[1] = longest?.end ?? NaN;
}

export function replaceColumns(entry: ResidentSeries, columns: BarColumns): void {
  entry.columns = columns;
  entry.rows = undefined;
}

/**
 * The hot path's first try: the pinned series `memo` found last time, if no sliding window governs
 * it and its longest settled span holds all of [start, end] (inclusive, `start` already clamped to
 * the provider's earliest time). Settled bars are final and loaded, so nothing else (clock, ledger,
 * lock) needs asking. Undefined otherwise, and the caller makes the general check, which answers
 * every query this one answers the same way. Small on purpose: it inlines into the call site.
 */
export function settledMemoHit(memo: ResidentMemo, start: number, end: number): ResidentSeries | undefined {
  const entry = memo.memoEntry;
  if (entry === undefined || entry.window !== undefined) return undefined;
  const span = entry.settledSpan;
  return span[0]! <= start && start <= end && end + 1 <= span[1]! ? entry : undefined;
}

/**
 * The lookback fast path's whole answer: `settledMemoHit` and `sliceColumns` in one (same checks,
 * same window, same cursor), taking the bounds as the caller passed them: anything but numbers
 * with earliest <= start <= end inside the memoised entry's settled span gives undefined, having
 * changed nothing. Small: the engine inlines it, with the window's constructor, into a backtest's
 * loop (the usual next-day window costs four compares; any other is searched out of line).
 */
export function settledWindow(memo: ResidentMemo, start: unknown, end: unknown, earliest: number): ColumnSlice | undefined {
  const entry = memo.memoEntry;
  if (entry === undefined || entry.window !== undefined || typeof start !== 'number' || typeof end !== 'number') return undefined;
  const span = entry.settledSpan;
  if (!(span[0]! <= start && earliest <= start && start <= end && end + 1 <= span[1]!)) return undefined;
  const cols = entry.columns;
  if (!stepWindow(entry, cols.time, cols.length, start, end)) seekWindow(entry, cols.time, cols.length, start, end);
  return new ColumnSlice(cols, entry.hintFrom, entry.hintFrom + entry.hintLength);
}

/** The bars with start <= time <= end of a resident series, as shared frozen rows. */
export function sliceRows(entry: ResidentSeries, start: number, end: number): Bar[] {
  const rows = entry.rows ?? materializeRows(entry);
  moveCursor(entry, start, end);
  return rows.slice(entry.hintFrom, entry.hintFrom + entry.hintLength);
}

/** The bars with start <= time <= end of a resident series, as typed-array views made on first use (no copy). */
export function sliceColumns(entry: ResidentSeries, start: number, end: number): ColumnSlice {
  moveCursor(entry, start, end);
  return new ColumnSlice(entry.columns, entry.hintFrom, entry.hintFrom + entry.hintLength);
}

/** Moves the entry's cursor (its hints) to the window of [start, end]: one bar on, else searched from where it was. */
function moveCursor(entry: ResidentSeries, start: number, end: number): void {
  const cols = entry.columns;
  if (!stepWindow(entry, cols.time, cols.length, start, end)) seekWindow(entry, cols.time, cols.length, start, end);
}

function materializeRows(entry: ResidentSeries): readonly Bar[] {
  const rows = entry.columns.toBars();
  for (const row of rows) Object.freeze(row);
  entry.rows = rows;
  return rows;
}

/**
 * What a materialized row costs on the V8 heap (64-bit Node, no pointer compression), measured
 * after gc over 500 000 frozen rows of 10-year daily series: the array slot (8 B), the object
 * (24 B header + 8 B per field) and a 16 B boxed double for every field but an integer volume
 * below 2^31 (a small integer, unboxed): 187 B with adjClose, 162 B without (a volume of 2^31 or
 * more adds 16 B). `pnpm bench` checks stats().l1.bytes against the heap actually held.
 */
export const ROW_BYTES_WITH_ADJ_CLOSE = 188;
export const ROW_BYTES_WITHOUT_ADJ_CLOSE = 162;

/** What the row objects of `entry` cost (0 until they are built). */
export function rowBytes(entry: ResidentSeries): number {
  if (entry.rows === undefined) return 0;
  return entry.rows.length * (entry.columns.adjClose === undefined ? ROW_BYTES_WITHOUT_ADJ_CLOSE : ROW_BYTES_WITH_ADJ_CLOSE);
}

/** Fixed per-entry overhead added to the typed arrays' bytes (object headers, range arrays, key). */
const ENTRY_OVERHEAD_BYTES = 512;

/**
 * L1: decoded series in memory, bounded in bytes by an lru-cache. Series pinned by a prefetch
 * session live outside the LRU, so it cannot evict what the backtest is about to read; they are
 * returned to the LRU when the last session holding them is released.
 */
/**
 * A caller's memo of where one series lives in L1 (e.g. the query parser's per-series slot): lets
 * `MemoryTier.lookup` skip the map lookup (and its string compare) on every read of a pinned series.
 */
export interface ResidentMemo {
  readonly id: string;
  /** The pinned entry found last time; the tier clears it at its next change (so it never keeps an evicted series alive). */
  memoEntry: ResidentSeries | undefined;
}

export class MemoryTier {
  readonly #lru: LRUCache<string, ResidentSeries>;
  readonly #pinned = new Map<string, PinnedSlot>();
  #pinnedBytes = 0;
  /** The memos holding an entry: every change to what is pinned or stored clears them (#forgetMemos). */
  readonly #memos = new Set<ResidentMemo>();

  constructor(options: { maxBytes: number }) {
    this.#lru = new LRUCache<string, ResidentSeries>({
      maxSize: Math.max(1, options.maxBytes),
      sizeCalculation: (entry) => sizeOf(entry),
    });
  }

  /** The resident series, refreshing its recency. Pinned series first. */
  get(id: string): ResidentSeries | undefined {
    const pinned = this.#pinned.get(id);
    if (pinned !== undefined) return pinned.entry;
    return this.#lru.get(id);
  }

  /**
   * The same as `get(memo.id)`, remembered in `memo` while the series stays pinned and nothing in
   * the tier changes (a pinned series needs no LRU recency, so skipping the lookup loses nothing).
   */
  lookup(memo: ResidentMemo): ResidentSeries | undefined {
    const known = memo.memoEntry;
    if (known !== undefined) return known;
    const pinned = this.#pinned.get(memo.id);
    if (pinned === undefined) return this.#lru.get(memo.id);
    memo.memoEntry = pinned.entry;
    this.#memos.add(memo);
    return pinned.entry;
  }

  /** Any change to what is pinned or stored: the memos handed out may be wrong now. */
  #forgetMemos(): void {
    if (this.#memos.size === 0) return;
    for (const memo of this.#memos) memo.memoEntry = undefined;
    this.#memos.clear();
  }

  /** Stores (or re-sizes after a change) a resident series. */
  set(entry: ResidentSeries): void {
    this.#forgetMemos();
    const pinned = this.#pinned.get(entry.id);
    if (pinned !== undefined) {
      const size = sizeOf(entry);
      this.#pinnedBytes += size - pinned.lastSize;
      pinned.entry = entry;
      pinned.lastSize = size;
      return;
    }
    // lru-cache sizes an entry when it is set with a new value; an entry changed in place must be
    // taken out and put back for its new size to count (and for the budget to evict past it).
    this.#lru.delete(entry.id);
    this.#lru.set(entry.id, entry);
  }

  delete(id: string): void {
    this.#forgetMemos();
    const pinned = this.#pinned.get(id);
    if (pinned !== undefined) {
      this.#pinnedBytes -= pinned.lastSize;
      this.#pinned.delete(id);
    }
    this.#lru.delete(id);
  }

  clear(): void {
    this.#forgetMemos();
    this.#lru.clear();
    this.#pinned.clear();
    this.#pinnedBytes = 0;
  }

  /** Keeps `entry` resident until every holder has unpinned it. */
  pin(entry: ResidentSeries, holder: symbol): void {
    this.#forgetMemos();
    const existing = this.#pinned.get(entry.id);
    if (existing !== undefined) {
      existing.holders.add(holder);
      this.set(entry);
      return;
    }
    this.#lru.delete(entry.id);
    const lastSize = sizeOf(entry);
    this.#pinned.set(entry.id, { entry, holders: new Set([holder]), lastSize });
    this.#pinnedBytes += lastSize;
  }

  unpin(id: string, holder: symbol): void {
    this.#forgetMemos();
    const pinned = this.#pinned.get(id);
    if (pinned === undefined || !pinned.holders.delete(holder)) return;
    if (pinned.holders.size > 0) return;
    this.#pinned.delete(id);
    this.#pinnedBytes -= pinned.lastSize;
    this.#lru.set(id, pinned.entry);
  }

  unpinAll(holder: symbol): void {
    for (const id of [...this.#pinned.keys()]) this.unpin(id, holder);
  }

  isPinned(id: string): boolean {
    return this.#pinned.has(id);
  }

  residentIds(): string[] {
    return [...this.#pinned.keys(), ...this.#lru.keys()];
  }

  get bytes(): number {
    return this.#lru.calculatedSize + this.#pinnedBytes;
  }

  get entries(): number {
    return this.#lru.size + this.#pinned.size;
  }

  get pinnedEntries(): number {
    return this.#pinned.size;
  }
}

interface PinnedSlot {
  entry: ResidentSeries;
  holders: Set<symbol>;
  /** The size counted in #pinnedBytes for this slot. */
  lastSize: number;
}

function sizeOf(entry: ResidentSeries): number {
  return entry.columns.byteLength + rowBytes(entry) + ENTRY_OVERHEAD_BYTES;
}
