import { performance } from 'node:perf_hooks';
import { BarColumns } from '../bar-columns.js';
import { CacheCounters } from './cache-counters.js';
import { BarcacheError, ErrorCode, invalidArgument, isBarcacheError } from '../errors.js';
import { assertInterval } from '../intervals.js';
import { KeyedMutex } from './keyed-mutex.js';
import { emptyResident, MemoryTier, replaceColumns, sliceRows, type ResidentSeries } from '../tiers/memory/memory-tier.js';
import { blockEndOf, blocksOverlapping, blockStartOf, minBlockMs } from '../planning/block-layout.js';
import { dropFromLedger, EMPTY_LEDGER, freshCoverage, ledgerCovered, recordFetch, type Ledger } from '../planning/coverage-ledger.js';
import { finalBefore } from '../planning/finality.js';
import { latestBarEnd, planFetches } from '../planning/gap-planner.js';
import { planWindow } from '../planning/sliding-window.js';
import { extendLookback, lookbackStart } from '../planning/lookback-span.js';
import { coversRange, intersectRanges, subtractRanges, unionRanges } from '../planning/ranges.js';
import { seriesId, type SeriesKey } from '../series-key.js';
import { dropFetchEpochs, planSplitRebase, recordFetchEpoch } from '../planning/split-basis.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import type { StatsSnapshotWriter } from '../stats/stats-snapshot.js';
import type { BarStore, SeriesMeta, SeriesWrite } from '../tiers/disk/bar-store.js';
import { formatTime, normalizeSymbol, parseTimeInput } from '../time-input.js';
import type {
  Bar,
  BarCache,
  BarProvider,
  BarQuery,
  CacheStats,
  ClearFilter,
  ExplainReport,
  Interval,
  PrefetchPlan,
  PrefetchReport,
  PrefetchSymbolReport,
  ProviderResult,
  SeriesInfo,
  TimeRange,
} from '../types.js';

/** Everything a BarCache is built from; `openCache` assembles it from user options. */
export interface BarCacheParts {
  dir: string;
  store: BarStore;
  provider: BarProvider;
  now: () => number;
  memoryMaxBytes: number;
  diskMaxBytes: number;
  offline: boolean;
  provisionalTtlMs: number;
  /** Writes `<dir>/stats/<pid>.json`; created by openCache with `getStats` bound to this cache. */
  snapshots?: (getStats: () => CacheStats) => StatsSnapshotWriter;
}

interface ParsedQuery {
  key: SeriesKey;
  id: string;
  start: number;
  /** Inclusive. */
  end: number;
}

/** The very beginning of time for range arithmetic (Date's lower limit). */
const TIME_MIN = -8.64e15;
/** Prefetch fills this many symbols at once; the provider's own limiter bounds HTTP concurrency. */
const PREFETCH_CONCURRENCY = 4;
/** L1 cost of one bar: seven Float64 columns. */
const BYTES_PER_RESIDENT_BAR = 7 * 8;
/** How many times a block may fail its checksum again, right after being refetched, before giving up. */
const MAX_CORRUPT_ROUNDS = 2;
/** How many times prefetch may grow a lookback that holidays or a young listing left short. */
const MAX_LOOKBACK_EXTENSIONS = 4;

/**
 * The cache: L1 memory (MemoryTier), L2 disk (BarStore), the provider behind them.
 * A request is served from L1 when it lies inside what L1 holds fresh; otherwise the series'
 * coverage ledger decides whether L2 has it, and only the gaps go to the provider.
 */
export class DefaultBarCache implements BarCache {
  readonly dir: string;
  readonly offline: boolean;
  readonly #store: BarStore;
  readonly #provider: BarProvider;
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #diskMaxBytes: number;
  readonly #memoryMaxBytes: number;
  readonly #settleDelayMs: number;
  readonly #memory: MemoryTier;
  readonly #metas = new Map<string, SeriesMeta>();
  readonly #mutex = new KeyedMutex();
  readonly #counters: CacheCounters;
  readonly #latency = new LatencyHistogram();
  readonly #sessions = new Map<PrefetchReport, symbol>();
  readonly #seriesCache = new Map<string, Map<Interval, { key: SeriesKey; id: string }>>();
  #snapshots: StatsSnapshotWriter | undefined;
  #diskBytes = 0;
  #closed = false;

  constructor(parts: BarCacheParts) {
    this.dir = parts.dir;
    this.offline = parts.offline;
    this.#store = parts.store;
    this.#provider = parts.provider;
    this.#now = parts.now;
    this.#ttl = parts.provisionalTtlMs;
    this.#diskMaxBytes = parts.diskMaxBytes;
    this.#memoryMaxBytes = parts.memoryMaxBytes;
    this.#settleDelayMs = parts.provider.limits?.settleDelayMs ?? 0;
    this.#memory = new MemoryTier({ maxBytes: parts.memoryMaxBytes });
    this.#counters = new CacheCounters(parts.now());
    this.#snapshots = parts.snapshots?.(() => this.stats());
  }

  /** Loads every series' meta (small: ledger and block list) so lookups need no disk read. */
  async init(): Promise<void> {
    for (const meta of await this.#store.listMeta()) this.#metas.set(meta.id, meta);
    this.#diskBytes = await this.#store.totalBytes();
    this.#snapshots?.touch();
  }

  // ---------------------------------------------------------------------------------------------
  // getBars: the hot path

  getBars(q: BarQuery): Promise<Bar[]> {
    const t0 = performance.now();
    let parsed: ParsedQuery;
    try {
      this.#assertOpen();
      parsed = this.#parseQuery(q);
    } catch (err) {
      this.#finishRequest(t0);
      return Promise.reject(err);
    }
    const hit = this.#serveFromMemory(parsed);
    if (hit !== undefined) {
      this.#counters.l1Hits++;
      this.#finishRequest(t0);
      return Promise.resolve(hit);
    }
    return this.#getBarsSlow(parsed, t0);
  }

  peekBars(q: BarQuery): Bar[] | undefined {
    const t0 = performance.now();
    this.#assertOpen();
    const parsed = this.#parseQuery(q);
    const hit = this.#serveFromMemory(parsed);
    if (hit === undefined) return undefined;
    this.#counters.l1Hits++;
    this.#finishRequest(t0);
    return hit;
  }

  #serveFromMemory(p: ParsedQuery): Bar[] | undefined {
    const now = this.#now();
    const wantEnd = Math.min(p.end + 1, this.#horizon(p.key.interval, now));
    if (wantEnd <= p.start) return []; // entirely in the future: nothing exists there yet
    const entry = this.#memory.get(p.id);
    if (entry === undefined || now >= entry.validUntil) return undefined;
    if (entry.window !== undefined && p.end >= entry.window.nextAdvanceAt) this.#advanceWindow(p.key, entry, p.end);
    const servable = entry.servable;
    // Almost always one range: check it inline before the general search.
    const first = servable[0];
    const covered =
      (first !== undefined && first.start <= p.start && wantEnd <= first.end) ||
      (servable.length > 1 && coversRange(servable, { start: p.start, end: wantEnd }));
    if (!covered) return undefined;
    if (entry.rows !== undefined) return sliceRows(entry, p.start, p.end);
    const bars = sliceRows(entry, p.start, p.end);
    this.#memory.set(entry); // the rows now count toward the memory budget
    return bars;
  }

  /**
   * Moves a windowed series' window to `cursor` in the background: loads the blocks ahead from L2
   * and drops those behind the lookback, so memory stays bounded however long the backtest runs.
   * A read that outruns the loading is still served, through the slow path (an L2 hit).
   */
  #advanceWindow(key: SeriesKey, entry: ResidentSeries, cursor: number): void {
    const window = entry.window!;
    if (window.advancing) return;
    window.advancing = true;
    const id = entry.id;
    void this.#mutex
      .run(id, async () => {
        if (this.#closed) return;
        const spec = { interval: key.interval, cursor, lookbackMs: window.lookbackMs, aheadMs: window.aheadMs, range: window.range };
        const resident = blocksOverlapping(key.interval, { start: window.range.start, end: window.range.end }).filter((b) =>
          coversRange(entry.loaded, { start: b, end: blockEndOf(key.interval, b) }),
        );
        const plan = planWindow(spec, resident);
        if (plan.drop.length > 0) {
          const dropped = plan.drop.map((b) => ({ start: b, end: blockEndOf(key.interval, b) }));
          let columns = entry.columns;
          for (const r of dropped) columns = columns.without(r);
          // Own memory (a view would keep the dropped blocks' buffer alive), and what L1 may
          // serve shrinks in the same step: no read sees columns without the blocks it was told are there.
          replaceColumns(entry, columns.copy());
          entry.loaded = subtractRanges(entry.loaded, dropped);
          this.#refreshServable(entry, this.#now());
        }
        if (plan.load.length > 0) {
          const first = plan.load[0]!;
          const last = plan.load[plan.load.length - 1]!;
          await this.#ensureResident(key, { start: first, end: blockEndOf(key.interval, last) });
        }
        window.nextAdvanceAt = cursor + Math.max(1, Math.floor(window.aheadMs / 2));
      })
      .catch(() => undefined) // the slow path reports real failures to the caller that hits them
      .finally(() => {
        window.advancing = false;
      });
  }

  async #getBarsSlow(p: ParsedQuery, t0: number): Promise<Bar[]> {
    try {
      const { bars, usedProvider } = await this.#mutex.run(p.id, () => this.#serveLocked(p));
      this.#counters.l1Misses++;
      if (usedProvider) this.#counters.l2Misses++;
      else this.#counters.l2Hits++;
      return bars;
    } finally {
      this.#finishRequest(t0);
    }
  }

  #finishRequest(t0: number): void {
    this.#counters.requests++;
    this.#latency.record(performance.now() - t0);
    this.#snapshots?.touch();
  }

  /** Serves a query that L1 could not, under the series' lock. */
  async #serveLocked(p: ParsedQuery): Promise<{ bars: Bar[]; usedProvider: boolean }> {
    let usedProvider = false;
    for (let attempt = 0; ; attempt++) {
      this.#assertOpen();
      const now = this.#now();
      const want = { start: p.start, end: Math.min(p.end + 1, this.#horizon(p.key.interval, now)) };
      const meta = this.#metaOf(p.key);
      if (!coversRange(freshCoverage(meta.ledger, now, this.#ttl), want)) {
        const calls = await this.#fill(p.key, want);
        usedProvider ||= calls > 0;
      }
      const { entry, corrupt } = await this.#ensureResident(p.key, want);
      // A corrupt block was dropped and its range left the ledger: go round once more to refetch it.
      if (corrupt) {
        if (attempt >= MAX_CORRUPT_ROUNDS) throw corruptBlockError(p.key);
        continue;
      }
      const bars = sliceRows(entry, p.start, p.end);
      this.#memory.set(entry);
      return { bars, usedProvider };
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Filling gaps from the provider

  /** Fetches what `want` lacks (planned, widened, merged, split) and commits it. Returns provider calls. */
  async #fill(key: SeriesKey, want: TimeRange, signal?: AbortSignal): Promise<number> {
    const id = seriesId(key);
    const now = this.#now();
    const meta = this.#metaOf(key);
    const covered = freshCoverage(meta.ledger, now, this.#ttl);
    const plan = planFetches({
      interval: key.interval,
      want,
      covered,
      now,
      ...(this.#provider.limits ? { limits: this.#provider.limits } : {}),
    });
    if (plan.requests.length === 0) return 0;
    if (this.offline) {
      throw new BarcacheError(
        ErrorCode.OFFLINE_MISS,
        `offline: ${key.symbol} ${key.interval} is not cached for ${plan.gaps.map(formatRange).join(', ')}`,
        { details: { symbol: key.symbol, interval: key.interval, missing: plan.gaps } },
      );
    }
    const settled = await Promise.allSettled(plan.requests.map((range) => this.#fetchFromProvider(key, range, signal)));
    const fetched: { range: TimeRange; result: ProviderResult }[] = [];
    let failure: unknown;
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') fetched.push({ range: plan.requests[i]!, result: s.value });
      else failure ??= s.reason;
    });
    // Keep what did arrive even when part of the plan failed: nothing fetched is thrown away.
    if (fetched.length > 0) await this.#commitFetched(id, key, fetched);
    if (failure !== undefined) throw failure;
    await this.#enforceDiskBudget(new Set([id]));
    return plan.requests.length;
  }

  async #fetchFromProvider(key: SeriesKey, range: TimeRange, signal?: AbortSignal): Promise<ProviderResult> {
    this.#counters.providerCalls++;
    try {
      const result = await this.#provider.fetchBars({
        symbol: key.symbol,
        interval: key.interval,
        start: range.start,
        end: range.end,
        ...(signal ? { signal } : {}),
      });
      this.#counters.providerBars += result.bars.length;
      this.#counters.droppedBars += result.droppedBars ?? 0;
      this.#counters.providerRetries += result.retries ?? 0;
      return result;
    } catch (err) {
      this.#counters.providerErrors++;
      const details = { symbol: key.symbol, interval: key.interval, start: range.start, end: range.end };
      if (isBarcacheError(err)) {
        if (typeof err.details.attempts === 'number') this.#counters.providerRetries += Math.max(0, err.details.attempts - 1);
        Object.assign(err.details, { ...details, ...err.details });
        throw err;
      }
      throw new BarcacheError(
        ErrorCode.PROVIDER_FAILED,
        `provider ${this.#provider.name} failed for ${key.symbol} ${key.interval} ${formatRange(range)}: ${(err as Error)?.message ?? err}`,
        { cause: err, details },
      );
    }
  }

  /**
   * Merges fetched bars into the stored blocks and records the coverage, in one atomic batch.
   * Bars are merged by time (new wins), so an empty or partial answer never erases stored bars.
   */
  async #commitFetched(id: string, key: SeriesKey, fetched: { range: TimeRange; result: ProviderResult }[]): Promise<void> {
    const now = this.#now();
    const meta = this.#metaOf(key);
    const interval = key.interval;
    const stored = new Set(meta.blocks.map((b) => b.start));

    const rebase = planSplitRebase(
      meta.fetchEpochs ?? [],
      meta.splits,
      fetched.flatMap((f) => f.result.splits ?? []),
    );
    const touched = new Set<number>();
    for (const f of fetched) for (const b of blocksOverlapping(interval, f.range)) touched.add(b);
    for (const r of rebase.rescale) for (const b of blocksOverlapping(interval, r.range)) if (stored.has(b)) touched.add(b);

    const { blocks: current, corrupt } = await this.#readBlocksForWrite(id, key, [...touched].filter((b) => stored.has(b)));
    let ledger: Ledger = meta.ledger;
    let epochs = rebase.epochs;
    for (const b of corrupt) {
      const blockRange = { start: b, end: blockEndOf(interval, b) };
      ledger = dropFromLedger(ledger, blockRange);
      epochs = dropFetchEpochs(epochs, blockRange);
    }

    for (const r of rebase.rescale) {
      for (const [start, cols] of current) {
        const inside = cols.filterRange(r.range);
        if (inside.length === 0) continue;
        current.set(start, BarColumns.merge(cols.without(r.range), inside.scalePrices(r.priceFactor, Number.POSITIVE_INFINITY)));
      }
    }

    const incoming = BarColumns.fromBars(fetched.flatMap((f) => f.result.bars));
    const put = new Map<number, BarColumns>();
    const del: number[] = [];
    for (const b of touched) {
      const blockRange = { start: b, end: blockEndOf(interval, b) };
      const next = BarColumns.merge(current.get(b) ?? BarColumns.empty(), incoming.filterRange(blockRange));
      if (next.length > 0) put.set(b, next);
      else if (stored.has(b)) del.push(b);
    }

    const finalCutoff = finalBefore(interval, now, this.#settleDelayMs);
    for (const f of fetched) {
      ledger = recordFetch(ledger, f.range, finalCutoff, now);
      epochs = recordFetchEpoch(epochs, f.range, now);
    }
    const timezone = fetched.find((f) => f.result.exchangeTimezone)?.result.exchangeTimezone ?? meta.timezone;
    const next: SeriesMeta = {
      ...meta,
      ledger,
      splits: rebase.absorbed,
      fetchEpochs: epochs,
      lastFetchedAt: now,
      lastAccessAt: now,
      ...(timezone ? { timezone } : {}),
    };
    await this.#commit({ meta: next, put, del });
    this.#counters.corruptBlocks += corrupt.length;

    // L1 now holds these blocks whole: what was stored plus what arrived.
    const entry = this.#memory.get(id) ?? emptyResident(id, interval);
    const replaced = [...touched].map((b) => ({ start: b, end: blockEndOf(interval, b) }));
    let columns = entry.columns;
    for (const r of replaced) columns = columns.without(r);
    replaceColumns(entry, BarColumns.merge(columns, BarColumns.concat([...put.keys()].sort((a, b) => a - b).map((b) => put.get(b)!))));
    entry.loaded = unionRanges(entry.loaded, replaced);
    this.#refreshServable(entry, now);
  }

  /** Reads blocks about to be rewritten, preferring what L1 already holds whole. */
  async #readBlocksForWrite(id: string, key: SeriesKey, starts: number[]): Promise<{ blocks: Map<number, BarColumns>; corrupt: number[] }> {
    const blocks = new Map<number, BarColumns>();
    const entry = this.#memory.get(id);
    const toRead: number[] = [];
    for (const b of starts) {
      const range = { start: b, end: blockEndOf(key.interval, b) };
      if (entry !== undefined && coversRange(entry.loaded, range)) blocks.set(b, entry.columns.filterRange(range));
      else toRead.push(b);
    }
    if (toRead.length === 0) return { blocks, corrupt: [] };
    const read = await this.#store.readBlocks(id, toRead);
    for (const [b, cols] of read.blocks) blocks.set(b, cols);
    return { blocks, corrupt: read.corrupt };
  }

  // ---------------------------------------------------------------------------------------------
  // L2 → L1

  /**
   * Makes L1 hold every stored bar of `want`'s blocks. A block that fails its checksum is deleted
   * and its range leaves the ledger in one batch (so it is refetched); `corrupt` says so.
   */
  async #ensureResident(key: SeriesKey, want: TimeRange): Promise<{ entry: ResidentSeries; corrupt: boolean }> {
    const id = seriesId(key);
    const now = this.#now();
    const entry = this.#memory.get(id) ?? emptyResident(id, key.interval);
    const meta = this.#metaOf(key);
    const storedStarts = new Set(meta.blocks.map((b) => b.start));
    const missing = blocksOverlapping(key.interval, want).filter(
      (b) => !coversRange(entry.loaded, { start: b, end: blockEndOf(key.interval, b) }),
    );
    const toRead = missing.filter((b) => storedStarts.has(b));
    let corrupt: number[] = [];
    if (toRead.length > 0) {
      const read = await this.#store.readBlocks(id, toRead);
      corrupt = read.corrupt;
      const decoded = [...read.blocks.entries()].sort((a, b) => a[0] - b[0]).map(([, cols]) => cols);
      if (decoded.length > 0) replaceColumns(entry, BarColumns.merge(entry.columns, BarColumns.concat(decoded)));
    }
    const loadedNow = missing.filter((b) => !corrupt.includes(b)).map((b) => ({ start: b, end: blockEndOf(key.interval, b) }));
    entry.loaded = unionRanges(entry.loaded, loadedNow);
    if (corrupt.length > 0) await this.#dropCorruptBlocks(key, corrupt);
    this.#refreshServable(entry, now);
    return { entry, corrupt: corrupt.length > 0 };
  }

  async #dropCorruptBlocks(key: SeriesKey, corrupt: number[]): Promise<void> {
    const meta = this.#metaOf(key);
    const ranges = corrupt.map((b) => ({ start: b, end: blockEndOf(key.interval, b) }));
    let epochs = meta.fetchEpochs ?? [];
    for (const r of ranges) epochs = dropFetchEpochs(epochs, r);
    await this.#commit({ meta: { ...meta, ledger: dropFromLedger(meta.ledger, ranges), fetchEpochs: epochs }, del: corrupt });
    this.#counters.corruptBlocks += corrupt.length;
  }

  /** Keeps only the blocks of `range` resident (a fill may have put the whole series in L1). */
  #trimToWindow(entry: ResidentSeries, interval: Interval, range: TimeRange): void {
    const keep = { start: blockStartOf(interval, range.start), end: blockEndOf(interval, Math.max(range.start, range.end - 1)) };
    replaceColumns(entry, entry.columns.filterRange(keep).copy());
    entry.loaded = intersectRanges(entry.loaded, [keep]);
    this.#refreshServable(entry, this.#now());
  }

  /** Recomputes what L1 may serve for this series without looking at the ledger again. */
  #refreshServable(entry: ResidentSeries, now: number): void {
    const meta = this.#metas.get(entry.id);
    const ledger = meta?.ledger ?? EMPTY_LEDGER;
    entry.servable = intersectRanges(entry.loaded, freshCoverage(ledger, now, this.#ttl));
    let validUntil = Number.POSITIVE_INFINITY;
    for (const p of ledger.provisional) {
      const expiry = p.fetchedAt + this.#ttl;
      if (expiry > now && intersectRanges([p], entry.loaded).length > 0) validUntil = Math.min(validUntil, expiry);
    }
    entry.validUntil = validUntil;
    this.#memory.set(entry);
  }

  // ---------------------------------------------------------------------------------------------
  // prefetch: the backtest session

  async prefetch(plan: PrefetchPlan): Promise<PrefetchReport> {
    this.#assertOpen();
    const started = performance.now();
    const parsed = this.#parsePlan(plan);
    const holder = Symbol('prefetch-session');
    const callsBefore = this.#counters.providerCalls;
    const barsBefore = this.#counters.providerBars;
    const reports: PrefetchSymbolReport[] = new Array(parsed.symbols.length);
    let done = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < parsed.symbols.length) {
        const index = next++;
        const symbol = parsed.symbols[index]!;
        if (plan.signal?.aborted) {
          reports[index] = failedSymbol(symbol, parsed, new BarcacheError(ErrorCode.ABORTED, 'prefetch was cancelled'));
        } else {
          try {
            reports[index] = await this.#prefetchSymbol({ ...parsed, symbol, symbolCount: parsed.symbols.length, signal: plan.signal }, holder);
          } catch (err) {
            reports[index] = failedSymbol(symbol, parsed, err);
          }
        }
        done++;
        const r = reports[index]!;
        plan.onProgress?.({
          symbol,
          done,
          total: parsed.symbols.length,
          status: r.error ? 'failed' : 'ok',
          ...(r.error ? { error: r.error } : {}),
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PREFETCH_CONCURRENCY, parsed.symbols.length) }, worker));
    const report: PrefetchReport = {
      interval: parsed.interval,
      symbols: reports,
      providerCalls: this.#counters.providerCalls - callsBefore,
      barsFetched: this.#counters.providerBars - barsBefore,
      elapsedMs: performance.now() - started,
      failed: reports.filter((r) => r.error).map((r) => r.symbol),
    };
    this.#sessions.set(report, holder);
    this.#counters.prefetchRuns++;
    this.#counters.prefetchSymbols += parsed.symbols.length;
    this.#counters.lastPrefetchAt = this.#now();
    this.#snapshots?.touch();
    return report;
  }

  async #prefetchSymbol(
    p: {
      symbol: string;
      symbolCount: number;
      interval: Interval;
      start: number;
      end: number;
      lookbackBars: number;
      lookbackDays: number;
      signal: AbortSignal | undefined;
    },
    holder: symbol,
  ): Promise<PrefetchSymbolReport> {
    const key: SeriesKey = { provider: this.#provider.name, symbol: p.symbol, interval: p.interval };
    const id = seriesId(key);
    const lookback = { ...(p.lookbackBars > 0 ? { bars: p.lookbackBars } : {}), ...(p.lookbackDays > 0 ? { days: p.lookbackDays } : {}) };
    let from = p.lookbackBars > 0 || p.lookbackDays > 0 ? lookbackStart(p.interval, p.start, lookback) : p.start;
    return this.#mutex.run(id, async () => {
      this.#assertOpen(); // a worker may reach its next symbol after close() began
      let calls = 0;
      let hadToLoad = false;
      const coveredBefore = intersectRanges(ledgerCovered(this.#metaOf(key).ledger), [{ start: from, end: p.end + 1 }]).length > 0;
      let lookbackBars = 0;
      let entry: ResidentSeries | undefined;
      let windowed = false;
      let corruptRounds = 0;
      for (let extension = 0; ; extension++) {
        const now = this.#now();
        const want = { start: from, end: Math.min(p.end + 1, this.#horizon(p.interval, now)) };
        if (!coversRange(freshCoverage(this.#metaOf(key).ledger, now, this.#ttl), want)) calls += await this.#fill(key, want, p.signal);
        const resident = this.#memory.get(id);
        hadToLoad ||= resident === undefined || !coversRange(resident.servable, want);
        const wasWindowed = this.#storedBytesIn(key, want) > this.#memoryMaxBytes / 2 / p.symbolCount;
        // Too large to hold whole (years of minute bars): keep a window around the cursor.
        const aheadMs = 2 * minBlockMs(p.interval);
        const firstWindow = { start: from, end: Math.min(want.end, p.start + aheadMs) };
        const loaded = await this.#ensureResident(key, wasWindowed ? firstWindow : want);
        if (loaded.corrupt) {
          // The dropped block is refetched by the next round's fill; a block that keeps failing is reported.
          if (++corruptRounds > MAX_CORRUPT_ROUNDS) throw corruptBlockError(key);
          extension--;
          continue;
        }
        entry = loaded.entry;
        if (wasWindowed) {
          this.#trimToWindow(entry, key.interval, firstWindow);
          entry.window = { lookbackMs: p.start - from, aheadMs, range: want, nextAdvanceAt: p.start, advancing: false };
          windowed = true;
        }
        const cols = entry.columns;
        const startIdx = cols.lowerBound(p.start);
        const previous = lookbackBars;
        lookbackBars = startIdx - cols.lowerBound(from);
        const short = p.lookbackBars - lookbackBars;
        if (short <= 0 || windowed || extension >= MAX_LOOKBACK_EXTENSIONS) break;
        // Holidays ate bars. L1 often holds older bars already (blocks load whole): use them.
        const olderIdx = startIdx - p.lookbackBars;
        if (olderIdx >= 0 && coversRange(entry.servable, { start: cols.time[olderIdx]!, end: want.end })) {
          from = cols.time[olderIdx]!;
          lookbackBars = p.lookbackBars;
          break;
        }
        // Reaching further back found nothing older: the series starts there (a young listing).
        if (extension > 0 && lookbackBars <= previous) break;
        from = extendLookback(p.interval, from, short, extension);
      }
      this.#memory.pin(entry!, holder);
      const cols = entry!.columns;
      const bars = windowed ? this.#storedBarsIn(key, { start: from, end: p.end + 1 }) : cols.upperBound(p.end) - cols.lowerBound(from);
      return {
        symbol: p.symbol,
        start: from,
        end: p.end,
        bars,
        lookbackBars,
        lookbackSatisfied: lookbackBars >= p.lookbackBars,
        providerCalls: calls,
        source: calls > 0 ? (coveredBefore ? 'mixed' : 'provider') : hadToLoad ? 'l2' : 'l1',
        windowed,
      };
    });
  }

  release(report?: PrefetchReport): void {
    if (report === undefined) {
      for (const holder of this.#sessions.values()) this.#memory.unpinAll(holder);
      this.#sessions.clear();
      return;
    }
    const holder = this.#sessions.get(report);
    if (holder === undefined) return;
    this.#memory.unpinAll(holder);
    this.#sessions.delete(report);
  }

  // ---------------------------------------------------------------------------------------------
  // Inspecting and clearing

  stats(): CacheStats {
    const c = this.#counters;
    const saved = c.l1Hits + c.l2Hits;
    return {
      requests: c.requests,
      l1: { hits: c.l1Hits, misses: c.l1Misses, bytes: this.#memory.bytes, entries: this.#memory.entries, pinnedEntries: this.#memory.pinnedEntries },
      l2: { hits: c.l2Hits, misses: c.l2Misses, bytes: this.#diskBytes, series: this.#metas.size, corruptBlocks: c.corruptBlocks },
      provider: { calls: c.providerCalls, bars: c.providerBars, errors: c.providerErrors, retries: c.providerRetries, droppedBars: c.droppedBars },
      providerCallsSaved: saved,
      hitRate: c.requests === 0 ? 0 : saved / c.requests,
      latency: {
        count: this.#latency.count,
        p50Ms: this.#latency.quantile(0.5),
        p99Ms: this.#latency.quantile(0.99),
        maxMs: this.#latency.max,
      },
      prefetch: { runs: c.prefetchRuns, symbols: c.prefetchSymbols, ...(c.lastPrefetchAt !== undefined ? { lastAt: c.lastPrefetchAt } : {}) },
      startedAt: c.startedAt,
    };
  }

  async listSeries(): Promise<SeriesInfo[]> {
    this.#assertOpen();
    return [...this.#metas.values()]
      .map((m) => {
        const first = m.blocks[0];
        const last = m.blocks[m.blocks.length - 1];
        return {
          provider: m.provider,
          symbol: m.symbol,
          interval: m.interval,
          covered: ledgerCovered(m.ledger),
          bars: m.blocks.reduce((n, b) => n + b.bars, 0),
          bytes: m.blocks.reduce((n, b) => n + b.bytes, 0),
          ...(first ? { firstBar: first.first } : {}),
          ...(last ? { lastBar: last.last } : {}),
          ...(m.lastFetchedAt !== undefined ? { lastFetchedAt: m.lastFetchedAt } : {}),
          lastAccessAt: m.lastAccessAt,
          ...(m.timezone ? { timezone: m.timezone } : {}),
        };
      })
      .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.interval.localeCompare(b.interval) || a.provider.localeCompare(b.provider));
  }

  async explain(q: BarQuery): Promise<ExplainReport> {
    this.#assertOpen();
    const p = this.#parseQuery(q);
    const now = this.#now();
    const want = { start: p.start, end: Math.min(p.end + 1, this.#horizon(p.key.interval, now)) };
    const meta = this.#metaOf(p.key);
    const fresh = freshCoverage(meta.ledger, now, this.#ttl);
    const entry = this.#memory.get(p.id);
    const inL1 = entry && now < entry.validUntil ? intersectRanges(entry.servable, [want]) : [];
    const inL2 = subtractRanges(intersectRanges(fresh, [want]), inL1);
    const missing = subtractRanges([want], fresh);
    const plan = planFetches({
      interval: p.key.interval,
      want,
      covered: fresh,
      now,
      ...(this.#provider.limits ? { limits: this.#provider.limits } : {}),
    });
    const parts = [
      ...inL1.map((range) => ({ range, tier: 'l1' as const })),
      ...inL2.map((range) => ({ range, tier: 'l2' as const })),
      ...missing.map((range) => ({ range, tier: 'provider' as const })),
    ].sort((a, b) => a.range.start - b.range.start);
    return {
      symbol: p.key.symbol,
      interval: p.key.interval,
      start: p.start,
      end: p.end,
      parts,
      plannedRequests: this.offline ? [] : plan.requests,
      missing,
    };
  }

  async clear(filter: ClearFilter = {}): Promise<void> {
    this.#assertOpen();
    const symbol = filter.symbol === undefined ? undefined : normalizeSymbol(filter.symbol);
    const interval = filter.interval === undefined ? undefined : assertInterval(filter.interval);
    const before = filter.before === undefined ? undefined : parseTimeInput(filter.before, 'before');
    const matching = [...this.#metas.values()].filter(
      (m) => (symbol === undefined || m.symbol === symbol) && (interval === undefined || m.interval === interval),
    );
    for (const { id } of matching) {
      await this.#mutex.run(id, async () => {
        // Re-read under the lock: a fill may have changed the series since the list was made.
        const meta = this.#metas.get(id);
        if (meta === undefined) return;
        if (before === undefined) {
          await this.#store.deleteSeries(meta.id);
          this.#metas.delete(meta.id);
        } else {
          await this.#clearBefore(meta, before);
        }
        this.#memory.delete(meta.id);
      });
    }
    this.#diskBytes = await this.#store.totalBytes();
    this.#snapshots?.touch();
  }

  async #clearBefore(meta: SeriesMeta, before: number): Promise<void> {
    const dropped = { start: TIME_MIN, end: before };
    const del = meta.blocks.filter((b) => blockEndOf(meta.interval, b.start) <= before).map((b) => b.start);
    const straddling = meta.blocks.filter((b) => b.start < before && blockEndOf(meta.interval, b.start) > before).map((b) => b.start);
    const put = new Map<number, BarColumns>();
    const corrupt: TimeRange[] = [];
    if (straddling.length > 0) {
      const read = await this.#store.readBlocks(meta.id, straddling);
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
    await this.#commit({
      meta: { ...meta, ledger: dropFromLedger(meta.ledger, [dropped, ...corrupt]), fetchEpochs: epochs },
      put,
      del,
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Let running fills finish so nothing is left half-written.
    await Promise.all([...this.#mutex.busyKeys()].map((id) => this.#mutex.run(id, async () => undefined)));
    this.#closed = true;
    this.#memory.clear();
    this.#sessions.clear();
    await this.#snapshots?.close();
    await this.#store.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  async #commit(write: SeriesWrite): Promise<void> {
    const stored = await this.#store.commit(write);
    this.#metas.set(stored.id, stored);
    this.#diskBytes = await this.#store.totalBytes();
  }

  /** Evicts whole least-recently-used series past the disk budget, never one in use. */
  async #enforceDiskBudget(inUse: Set<string>): Promise<void> {
    if (!Number.isFinite(this.#diskMaxBytes) || this.#diskBytes <= this.#diskMaxBytes) return;
    const candidates = [...this.#metas.values()]
      .filter((m) => !inUse.has(m.id) && !this.#memory.isPinned(m.id) && !this.#mutex.isBusy(m.id))
      .sort((a, b) => a.lastAccessAt - b.lastAccessAt);
    for (const m of candidates) {
      if (this.#diskBytes <= this.#diskMaxBytes) break;
      // Checked again now: an earlier eviction's await may have let a reader or a session in.
      if (this.#memory.isPinned(m.id) || this.#mutex.isBusy(m.id) || !this.#metas.has(m.id)) continue;
      await this.#mutex.run(m.id, async () => {
        this.#metas.delete(m.id);
        this.#memory.delete(m.id);
        await this.#store.deleteSeries(m.id);
      });
      this.#diskBytes = await this.#store.totalBytes();
    }
  }

  /** Stored bars of the blocks overlapping `range` (from the block index: no read). */
  #storedBarsIn(key: SeriesKey, range: TimeRange): number {
    let bars = 0;
    for (const b of this.#metaOf(key).blocks) {
      if (b.last >= range.start && b.first < range.end) bars += b.bars;
    }
    return bars;
  }

  /** What holding `range` of the series in L1 would cost, estimated from the block index. */
  #storedBytesIn(key: SeriesKey, range: TimeRange): number {
    return this.#storedBarsIn(key, range) * BYTES_PER_RESIDENT_BAR;
  }

  #metaOf(key: SeriesKey): SeriesMeta {
    const id = seriesId(key);
    return (
      this.#metas.get(id) ?? {
        ...key,
        id,
        ledger: EMPTY_LEDGER,
        blocks: [],
        splits: [],
        fetchEpochs: [],
        lastAccessAt: this.#now(),
      }
    );
  }

  /** The end of the time that can hold bars now (see gap-planner's latestBarEnd). */
  #horizon(interval: Interval, now: number): number {
    return latestBarEnd(interval, now);
  }

  #assertOpen(): void {
    if (this.#closed) throw new BarcacheError(ErrorCode.CLOSED, 'the cache is closed');
  }

  #parseQuery(q: BarQuery): ParsedQuery {
    if (q === null || typeof q !== 'object') throw invalidArgument('getBars takes a query object { symbol, interval, start, end }');
    const series = this.#series(q.symbol, q.interval);
    const start = parseTimeInput(q.start, 'start');
    const end = parseTimeInput(q.end, 'end');
    if (end < start) {
      throw invalidArgument(`reversed range: end ${formatTime(end)} is before start ${formatTime(start)}`, { start, end });
    }
    return { key: series.key, id: series.id, start, end };
  }

  /**
   * The series a (symbol, interval) pair names, validated once and memoised: the lookback path
   * asks for the same few series all day, and this keeps it free of string building and regexes.
   */
  #series(rawSymbol: unknown, rawInterval: unknown): { key: SeriesKey; id: string } {
    const byInterval = typeof rawSymbol === 'string' ? this.#seriesCache.get(rawSymbol) : undefined;
    const known = byInterval?.get(rawInterval as Interval);
    if (known !== undefined) return known;
    const symbol = normalizeSymbol(rawSymbol);
    const interval = assertInterval(rawInterval);
    const key: SeriesKey = { provider: this.#provider.name, symbol, interval };
    const series = { key, id: seriesId(key) };
    if (this.#seriesCache.size > 10_000) this.#seriesCache.clear();
    const map = byInterval ?? new Map<Interval, { key: SeriesKey; id: string }>();
    map.set(interval, series);
    this.#seriesCache.set(rawSymbol as string, map);
    return series;
  }

  #parsePlan(plan: PrefetchPlan) {
    if (plan === null || typeof plan !== 'object') throw invalidArgument('prefetch takes a plan { symbols, interval, start, end, lookback? }');
    if (!Array.isArray(plan.symbols) || plan.symbols.length === 0) {
      throw invalidArgument('plan.symbols must be a non-empty array of symbols', { field: 'symbols' });
    }
    const symbols = [...new Set(plan.symbols.map((s) => normalizeSymbol(s)))];
    const interval = assertInterval(plan.interval);
    const start = parseTimeInput(plan.start, 'start');
    const end = parseTimeInput(plan.end, 'end');
    if (end < start) throw invalidArgument(`reversed range: end ${formatTime(end)} is before start ${formatTime(start)}`, { start, end });
    const lookbackBars = nonNegativeInteger(plan.lookback?.bars, 'lookback.bars');
    const lookbackDays = nonNegativeInteger(plan.lookback?.days, 'lookback.days');
    return { symbols, interval, start, end, lookbackBars, lookbackDays };
  }
}

function nonNegativeInteger(value: unknown, field: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalidArgument(`${field} must be a non-negative integer, got ${JSON.stringify(value)}`, { field, value });
  }
  return value;
}

function failedSymbol(symbol: string, p: { start: number; end: number }, err: unknown): PrefetchSymbolReport {
  const error = isBarcacheError(err)
    ? { code: err.code, message: err.message }
    : { code: ErrorCode.PROVIDER_FAILED, message: (err as Error)?.message ?? String(err) };
  return {
    symbol,
    start: p.start,
    end: p.end,
    bars: 0,
    lookbackBars: 0,
    lookbackSatisfied: false,
    providerCalls: 0,
    source: 'provider',
    windowed: false,
    error,
  };
}

function corruptBlockError(key: SeriesKey): BarcacheError {
  return new BarcacheError(
    ErrorCode.CORRUPT_BLOCK,
    `${key.symbol} ${key.interval}: stored blocks keep failing their checksum after being refetched (is the disk failing?)`,
    { details: { symbol: key.symbol, interval: key.interval } },
  );
}

function formatRange(r: TimeRange): string {
  return `[${formatTime(r.start)}, ${formatTime(r.end)})`;
}
