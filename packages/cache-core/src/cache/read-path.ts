import { freshCoverage } from '../planning/coverage-ledger.js';
import { latestBarEnd } from '../planning/gap-planner.js';
import { coversRange } from '../planning/ranges.js';
import { BarColumns } from '../bar-columns.js';
import { ColumnSlice } from '../column-views.js';
import { settledMemoHit, sliceColumns, sliceRows, type ResidentSeries } from '../tiers/memory/memory-tier.js';
import type { Bar, BarsStatus, TimeRange } from '../types.js';
import { wantedRange, type CacheContext } from './cache-context.js';
import { corruptBlockError, MAX_CORRUPT_ROUNDS } from './corrupt-blocks.js';
import type { GapFiller, FillResult } from './gap-filler.js';
import type { ParsedQuery, SeriesRef } from './query-parsing.js';
import { assertServed } from './range-guard.js';
import type { ResidentLoader } from './resident-loader.js';
import { factsOf } from './series-facts.js';
import type { WindowDriver } from './window-driver.js';

/**
 * How getBars is served, tier by tier: memory (an L1 hit, synchronous), else under the series'
 * lock: the ledger says what the disk tier holds fresh, the gap filler asks the upstream chain for
 * the rest, the resident loader brings the blocks into memory, and the answer is sliced from there.
 */
export class ReadPath {
  readonly #ctx: CacheContext;
  readonly #filler: GapFiller;
  readonly #loader: ResidentLoader;
  readonly #window: WindowDriver;

  constructor(ctx: CacheContext, filler: GapFiller, loader: ResidentLoader, window: WindowDriver) {
    this.#ctx = ctx;
    this.#filler = filler;
    this.#loader = loader;
    this.#window = window;
  }

  /** The bars if L1 holds the whole range fresh (an L1 hit), else undefined. Never does I/O. */
  fromMemory(p: ParsedQuery): Bar[] | undefined {
    const entry = this.#servableEntry(p.series, p.start, p.end);
    // null: nothing there the provider serves (the future, before its earliest time): the slow path says so.
    if (entry === null || entry === undefined) return undefined;
    if (p.status !== undefined) fillStatus(p.status, 'l1', undefined, this.#holesIn(p));
    if (entry.rows !== undefined) return sliceRows(entry, p.start, p.end);
    const bars = sliceRows(entry, p.start, p.end);
    this.#ctx.memory.set(entry); // the rows now count toward the memory budget
    return bars;
  }

  /**
   * The zero-copy columnar window (typed-array views of the resident series) of the bars with
   * start <= time <= end on an L1 hit, else undefined (never a window of part of the range); an
   * empty window where nothing can exist (a memory-only probe never raises).
   */
  columnsFromMemory(series: SeriesRef, start: number, end: number): ColumnSlice | undefined {
    const earliest = this.#ctx.earliestTime;
    const settled = settledMemoHit(series, start < earliest ? earliest : start, end);
    if (settled !== undefined) return sliceColumns(settled, start, end);
    const entry = this.#servableEntry(series, start, end);
    if (entry === null) return new ColumnSlice(BarColumns.empty(), 0, 0);
    if (entry === undefined) return undefined;
    return sliceColumns(entry, start, end);
  }

  /**
   * The resident series if L1 holds all of [qStart, qEnd] fresh; null when no part of it can hold
   * bars the provider serves (wholly in the future, or before its earliest time); else undefined.
   */
  #servableEntry(series: SeriesRef, qStart: number, qEnd: number): ResidentSeries | null | undefined {
    const ctx = this.#ctx;
    const start = qStart < ctx.earliestTime ? ctx.earliestTime : qStart;
    const entry = ctx.memory.lookup(series);
    // Settled bars (final in the ledger, and loaded) never expire: a query inside them needs no
    // clock. Covered unclamped, it is covered clamped to `now` too, and is not in the future.
    if (entry !== undefined && (entry.window === undefined || qEnd < entry.window.nextAdvanceAt) && start < qEnd + 1) {
      const span = entry.settledSpan;
      if ((span[0]! <= start && qEnd + 1 <= span[1]!) || (entry.settled.length > 1 && inside(entry.settled, start, qEnd + 1))) return entry;
    }
    const now = ctx.now();
    // The latest bar slot that may exist ends after `now`: a range ending in the past needs no clamp.
    const wantEnd = qEnd < now ? qEnd + 1 : Math.min(qEnd + 1, latestBarEnd(series.key.interval, now));
    if (wantEnd <= start) return null;
    if (entry === undefined || now >= entry.validUntil) return undefined;
    if (entry.window !== undefined && qEnd >= entry.window.nextAdvanceAt) this.#window.advance(series.key, entry, qEnd);
    return inside(entry.servable, start, wantEnd) ? entry : undefined;
  }

  /** Serves what L1 could not, under the series' lock. `usedProvider` tells an L2 hit from a miss. */
  slow(p: ParsedQuery): Promise<{ bars: Bar[]; usedProvider: boolean }> {
    return this.#ctx.mutex.run(p.id, () => this.#serveLocked(p));
  }

  async #serveLocked(p: ParsedQuery): Promise<{ bars: Bar[]; usedProvider: boolean }> {
    const ctx = this.#ctx;
    ctx.lifecycle.assertOpen();
    // The store is the truth on a slow path: another process may have written or cleared the series.
    const { meta, changedBlocks } = await ctx.catalog.reread(p.key);
    this.#loader.forgetBlocks(p.key, changedBlocks);
    assertServed(p.key, { start: p.start, end: p.end + 1 }, meta, ctx.now(), ctx.upstream.limits);
    let usedProvider = false;
    let stale: FillResult['stale'];
    for (let attempt = 0; ; attempt++) {
      ctx.lifecycle.assertOpen();
      const now = ctx.now();
      const want = wantedRange(p.key.interval, p.start, p.end, now, ctx.earliestTime);
      if (!coversRange(freshCoverage(ctx.catalog.metaOf(p.key).ledger, now, ctx.provisionalTtlMs), want)) {
        const filled = await this.#filler.fill(p.key, want, { strict: p.strict });
        usedProvider ||= filled.providerCalls > 0;
        stale = filled.stale;
      }
      const { entry, corrupt } = await this.#loader.ensureResident(p.key, want);
      // A corrupt block was dropped and its range left the ledger: go round once more to refetch it.
      if (corrupt) {
        if (attempt >= MAX_CORRUPT_ROUNDS) throw corruptBlockError(p.key);
        continue;
      }
      const bars = sliceRows(entry, p.start, p.end);
      ctx.memory.set(entry);
      if (stale !== undefined) ctx.counters.staleServed++;
      if (p.status !== undefined) fillStatus(p.status, usedProvider ? 'provider' : 'l2', stale, this.#holesIn(p));
      return { bars, usedProvider };
    }
  }

  /** Holes (bars sent without prices) inside the query. */
  #holesIn(p: ParsedQuery): number {
    const holes = factsOf(this.#ctx.catalog.metaOf(p.key)).holes;
    if (holes === undefined) return 0;
    let n = 0;
    for (const h of holes) if (h.time >= p.start && h.time <= p.end) n++;
    return n;
  }
}

function fillStatus(status: BarsStatus, source: BarsStatus['source'], stale: FillResult['stale'], holes: number): void {
  status.source = source;
  status.stale = stale !== undefined;
  if (stale !== undefined) {
    status.staleRanges = stale.ranges;
    status.error = stale.error;
  } else {
    delete status.staleRanges;
    delete status.error;
  }
  status.holes = holes;
}

/** Whether [start, end) lies inside the normalised ranges `rs`: almost always one range, checked inline first. */
function inside(rs: readonly TimeRange[], start: number, end: number): boolean {
  const first = rs[0];
  if (first === undefined) return false;
  if (first.start <= start && end <= first.end) return true;
  return rs.length > 1 && coversRange(rs, { start, end });
}
