import { freshCoverage } from '../planning/coverage-ledger.js';
import { latestBarEnd } from '../planning/gap-planner.js';
import { coversRange } from '../planning/ranges.js';
import { BarColumns } from '../bar-columns.js';
import { ColumnSlice } from '../column-views.js';
import { sliceColumns, sliceRows, type ResidentSeries } from '../tiers/memory/memory-tier.js';
import type { Bar } from '../types.js';
import { wantedRange, type CacheContext } from './cache-context.js';
import { corruptBlockError, MAX_CORRUPT_ROUNDS } from './corrupt-blocks.js';
import type { GapFiller } from './gap-filler.js';
import type { ParsedQuery } from './query-parsing.js';
import type { ResidentLoader } from './resident-loader.js';
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
    const entry = this.#servableEntry(p);
    if (entry === null) return []; // entirely in the future: nothing exists there yet
    if (entry === undefined) return undefined;
    if (entry.rows !== undefined) return sliceRows(entry, p.start, p.end);
    const bars = sliceRows(entry, p.start, p.end);
    this.#ctx.memory.set(entry); // the rows now count toward the memory budget
    return bars;
  }

  /** The zero-copy columnar window (typed-array views of the resident series) on an L1 hit, else undefined. */
  columnsFromMemory(p: ParsedQuery): ColumnSlice | undefined {
    const entry = this.#servableEntry(p);
    if (entry === null) return new ColumnSlice(BarColumns.empty(), 0, 0);
    if (entry === undefined) return undefined;
    return sliceColumns(entry, p.start, p.end);
  }

  /** The resident series if L1 holds all of p fresh; null when p lies wholly in the future; else undefined. */
  #servableEntry(p: ParsedQuery): ResidentSeries | null | undefined {
    const now = this.#ctx.now();
    // The latest bar slot that may exist ends after `now`: a range ending in the past needs no clamp.
    const wantEnd = p.end < now ? p.end + 1 : Math.min(p.end + 1, latestBarEnd(p.key.interval, now));
    if (wantEnd <= p.start) return null;
    const entry = this.#ctx.memory.get(p.id);
    if (entry === undefined || now >= entry.validUntil) return undefined;
    if (entry.window !== undefined && p.end >= entry.window.nextAdvanceAt) this.#window.advance(p.key, entry, p.end);
    const servable = entry.servable;
    // Almost always one range: check it inline before the general search.
    const first = servable[0];
    const covered =
      (first !== undefined && first.start <= p.start && wantEnd <= first.end) ||
      (servable.length > 1 && coversRange(servable, { start: p.start, end: wantEnd }));
    return covered ? entry : undefined;
  }

  /** Serves what L1 could not, under the series' lock. `usedProvider` tells an L2 hit from a miss. */
  slow(p: ParsedQuery): Promise<{ bars: Bar[]; usedProvider: boolean }> {
    return this.#ctx.mutex.run(p.id, () => this.#serveLocked(p));
  }

  async #serveLocked(p: ParsedQuery): Promise<{ bars: Bar[]; usedProvider: boolean }> {
    const ctx = this.#ctx;
    ctx.lifecycle.assertOpen();
    // The store is the truth on a slow path: another process may have written or cleared the series.
    const { changedBlocks } = await ctx.catalog.reread(p.key);
    this.#loader.forgetBlocks(p.key, changedBlocks);
    let usedProvider = false;
    for (let attempt = 0; ; attempt++) {
      ctx.lifecycle.assertOpen();
      const now = ctx.now();
      const want = wantedRange(p.key.interval, p.start, p.end, now);
      const meta = ctx.catalog.metaOf(p.key);
      if (!coversRange(freshCoverage(meta.ledger, now, ctx.provisionalTtlMs), want)) {
        const calls = await this.#filler.fill(p.key, want);
        usedProvider ||= calls > 0;
      }
      const { entry, corrupt } = await this.#loader.ensureResident(p.key, want);
      // A corrupt block was dropped and its range left the ledger: go round once more to refetch it.
      if (corrupt) {
        if (attempt >= MAX_CORRUPT_ROUNDS) throw corruptBlockError(p.key);
        continue;
      }
      const bars = sliceRows(entry, p.start, p.end);
      ctx.memory.set(entry);
      return { bars, usedProvider };
    }
  }
}
