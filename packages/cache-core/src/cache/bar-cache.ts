import { PrefaultedBuffers } from '../tiers/memory/prefaulted-buffers.js';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import type { StatsSnapshotWriter } from '../stats/stats-snapshot.js';
import type { BarStore } from '../tiers/disk/bar-store.js';
import { MemoryTier, settledWindow } from '../tiers/memory/memory-tier.js';
import type { UpstreamTier } from '../tiers/upstream-tier.js';
import { ProviderTier } from '../provider/provider-tier.js';
import type {
  Bar,
  BarCache,
  BarProvider,
  BarQuery,
  ColumnWindow,
  CacheStats,
  ClearFilter,
  ExplainReport,
  PrefetchPlan,
  PrefetchSession,
  SeriesInfo,
  SharedTierStats,
} from '../types.js';
import { Lifecycle, type CacheContext } from './cache-context.js';
import { CacheCounters } from './cache-counters.js';
import { earliestTime } from '../planning/provider-range.js';
import { FillCommitter } from './fill-commit.js';
import { GapFiller } from './gap-filler.js';
import { Inspection } from './inspection.js';
import { KeyedMutex } from './keyed-mutex.js';
import { Maintenance } from './maintenance.js';
import { PrefetchSessions } from './prefetch-sessions.js';
import { assertOrdered, QueryParser, type ParsedQuery } from './query-parsing.js';
import { ReadPath } from './read-path.js';
import { ResidentLoader } from './resident-loader.js';
import { SeriesCatalog } from './series-catalog.js';
import { StaleRefreshes } from './stale-refreshes.js';
import { SymbolPreparer } from './symbol-preparer.js';
import { WindowDriver } from './window-driver.js';

/** Everything a BarCache is built from; `openCache` assembles it from user options. */
export interface BarCacheParts {
  dir: string;
  store: BarStore;
  provider: BarProvider;
  /**
   * Links placed between the disk tier and the provider (a shared team tier), given the next link.
   * Default: none, the disk tier asks the provider directly.
   */
  upstream?: (next: UpstreamTier) => UpstreamTier;
  now: () => number;
  memoryMaxBytes: number;
  /** Pre-fault the column memory of large prefetch loads (OpenCacheOptions.memory.prefault). */
  prefault?: boolean;
  diskMaxBytes: number;
  offline: boolean;
  provisionalTtlMs: number;
  /** Writes `<dir>/stats/<pid>.json`; created by openCache with `getStats` bound to this cache. */
  snapshots?: (getStats: () => CacheStats) => StatsSnapshotWriter;
}

/**
 * The cache's façade: each public method checks the cache is open and its arguments are sound
 * (query-parsing.ts), then hands checked values to the part that does the job and trusts them:
 * the read path (getBars, peekBars), prefetch sessions, inspection (stats, listSeries, explain)
 * and maintenance (clear, close). The tiers behind them: memory (tiers/memory) → disk
 * (tiers/disk, through the series catalog) → upstream chain (tiers/upstream-tier.ts, ending in
 * provider/provider-tier.ts).
 */
/**
 * In the long run, one L1 hit in this many is timed for the latency histogram (slow requests
 * always are). A timed hit reads the clock twice (~40 ns each on a VM) and records: at 1 in 16 that
 * was ~10 ns of a ~140 ns lookback; at 1 in 256 it is under 1 ns. The rate starts at every request
 * and halves after each SAMPLES_PER_RATE samples down to this, so a short run's histogram
 * describes its hits too (not only the slow fill before them): the first 16 requests are all
 * timed, and the first 4 080 give 128 samples.
 */
export const LATENCY_SAMPLE_EVERY = 256;
const SAMPLES_PER_RATE = 16;

export class DefaultBarCache implements BarCache {
  readonly dir: string;
  readonly offline: boolean;
  readonly #ctx: CacheContext;
  readonly #counters: CacheCounters;
  readonly #latency = new LatencyHistogram();
  /** One request in this many is timed now (see #sampleStart): 1 at first, up to LATENCY_SAMPLE_EVERY. */
  #sampleEvery = 1;
  /** Requests since the last timed one. */
  #unsampled = 0;
  /** Samples taken at the current rate. */
  #samplesAtRate = 0;
  readonly #parser: QueryParser;
  readonly #catalog: SeriesCatalog;
  readonly #read: ReadPath;
  readonly #sessions: PrefetchSessions;
  readonly #inspection: Inspection;
  readonly #maintenance: Maintenance;
  readonly #snapshots: StatsSnapshotWriter | undefined;

  constructor(parts: BarCacheParts) {
    this.dir = parts.dir;
    this.offline = parts.offline;
    const counters = new CacheCounters(parts.now());
    const providerTier = new ProviderTier(parts.provider, { now: parts.now, counters });
    const upstream = parts.upstream ? parts.upstream(providerTier) : providerTier;
    const catalog = new SeriesCatalog(parts.store, parts.now);
    this.#counters = counters;
    this.#catalog = catalog;
    this.#ctx = {
      memory: new MemoryTier({ maxBytes: parts.memoryMaxBytes }),
      store: parts.store,
      catalog,
      upstream,
      mutex: new KeyedMutex(),
      counters,
      lifecycle: new Lifecycle(),
      now: parts.now,
      provisionalTtlMs: parts.provisionalTtlMs,
      settleDelayMs: upstream.limits?.settleDelayMs ?? 0,
      offline: parts.offline,
      earliestTime: earliestTime(upstream.limits),
      memoryMaxBytes: parts.memoryMaxBytes,
      prefaulted: parts.prefault === true ? new PrefaultedBuffers() : undefined,
      diskMaxBytes: parts.diskMaxBytes,
      touchSnapshots: () => this.#snapshots?.touch(),
    };
    this.#parser = new QueryParser(upstream.provider);
    this.#maintenance = new Maintenance(this.#ctx);
    const loader = new ResidentLoader(this.#ctx);
    const stale = new StaleRefreshes();
    const committer = new FillCommitter(this.#ctx, loader);
    const filler = new GapFiller(this.#ctx, { loader, committer, stale }, (inUse) => this.#maintenance.enforceDiskBudget(inUse));
    this.#read = new ReadPath(this.#ctx, filler, loader, new WindowDriver(this.#ctx, loader));
    this.#sessions = new PrefetchSessions(this.#ctx, this.#parser, new SymbolPreparer(this.#ctx, filler, loader));
    this.#inspection = new Inspection(this.#ctx, { filler, loader, latency: this.#latency, stale });
    this.#snapshots = parts.snapshots?.(() => this.stats());
  }

  /** Loads every series' meta (small: ledger and block list) so lookups need no disk read. */
  async init(): Promise<void> {
    await this.#catalog.load();
    this.#snapshots?.touch();
  }

  getBars(q: BarQuery): Promise<Bar[]> {
    const t0 = this.#sampleStart();
    let parsed: ParsedQuery;
    try {
      this.#ctx.lifecycle.assertOpen();
      parsed = this.#parser.query(q);
    } catch (err) {
      this.#finishRequest(t0);
      return Promise.reject(err);
    }
    const hit = this.#read.fromMemory(parsed);
    if (hit !== undefined) {
      this.#counters.l1Hits++;
      this.#finishRequest(t0);
      return Promise.resolve(hit);
    }
    return this.#getBarsSlow(parsed, t0);
  }

  peekBars(q: BarQuery): Bar[] | undefined {
    const t0 = this.#sampleStart();
    this.#ctx.lifecycle.assertOpen();
    const hit = this.#read.fromMemory(this.#parser.query(q));
    if (hit === undefined) return undefined;
    this.#counters.l1Hits++;
    this.#finishRequest(t0);
    return hit;
  }

  peekColumns(q: BarQuery): ColumnWindow | undefined {
    // A backtest's per-day lookback takes the predicted path: a few compares and the window, small
    // enough for the engine to inline into the caller's loop (with the window's getter too, when the
    // loop's own code leaves room: then the window object is optimised away). Anything else (a call
    // the sampler times, a first or unpredicted series, string dates, a range outside the settled
    // span or before the provider's earliest time, bad input) takes the checked path, which answers
    // or throws as it always has. The call is counted for the sampler before `q` is read, as the
    // checked path counts it, so a getter that throws leaves the same count either way. A closed
    // cache has no memoised series (close clears memory and releases every session, and either
    // forgets every memo), so none of its calls can be served here.
    if (this.#unsampled + 1 < this.#sampleEvery) {
      this.#unsampled++;
      const series = this.#parser.predicted(q);
      const hit = series === undefined ? undefined : settledWindow(series, q.start, q.end, this.#ctx.earliestTime);
      if (hit !== undefined) {
        const counters = this.#counters;
        counters.requests++;
        counters.l1Hits++;
        this.#snapshots?.touch();
        return hit;
      }
      this.#unsampled--; // the checked path counts it again
    }
    return this.#peekColumnsChecked(q);
  }

  #peekColumnsChecked(q: BarQuery): ColumnWindow | undefined {
    const t0 = this.#sampleStart();
    this.#ctx.lifecycle.assertOpen();
    // Parsed piecewise: nothing is allocated but the window itself (epoch ms pass through, the series is memoised).
    const parser = this.#parser;
    const series = parser.series(q);
    const start = parser.start(q);
    const end = parser.end(q);
    assertOrdered(start, end);
    const hit = this.#read.columnsFromMemory(series, start, end);
    if (hit === undefined) return undefined;
    this.#counters.l1Hits++;
    this.#finishRequest(t0);
    return hit;
  }

  async prefetch(plan: PrefetchPlan): Promise<PrefetchSession> {
    this.#ctx.lifecycle.assertOpen();
    return this.#sessions.run(this.#parser.plan(plan), plan);
  }

  stats(): CacheStats {
    return this.#inspection.stats();
  }

  async listSeries(): Promise<SeriesInfo[]> {
    this.#ctx.lifecycle.assertOpen();
    return this.#inspection.listSeries();
  }

  async explain(q: BarQuery): Promise<ExplainReport> {
    this.#ctx.lifecycle.assertOpen();
    return this.#inspection.explain(this.#parser.query(q));
  }

  async checkShared(): Promise<SharedTierStats | undefined> {
    this.#ctx.lifecycle.assertOpen();
    return this.#ctx.upstream.checkShared?.();
  }

  async clear(filter: ClearFilter = {}): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    await this.#maintenance.clear(this.#parser.clearFilter(filter));
  }

  async close(): Promise<void> {
    if (this.#ctx.lifecycle.closed) return;
    await this.#maintenance.close(async () => {
      this.#sessions.releaseAll();
      await this.#snapshots?.close();
    });
  }

  async #getBarsSlow(p: ParsedQuery, sampledT0: number): Promise<Bar[]> {
    // Every slow request is timed (from here if the fast path did not sample it).
    const t0 = sampledT0 === sampledT0 ? sampledT0 : performance.now();
    try {
      const { bars, usedProvider } = await this.#read.slow(p);
      this.#counters.l1Misses++;
      if (usedProvider) this.#counters.l2Misses++;
      else this.#counters.l2Hits++;
      return bars;
    } finally {
      this.#finishRequest(t0, true);
    }
  }

  /**
   * The hot path's clock: `performance.now()` for one request in `#sampleEvery`, NaN for the
   * others (two clock reads are a large share of an L1 hit). Costs one increment and a compare.
   */
  #sampleStart(): number {
    if (++this.#unsampled < this.#sampleEvery) return NaN;
    this.#unsampled = 0;
    if (this.#sampleEvery < LATENCY_SAMPLE_EVERY && ++this.#samplesAtRate === SAMPLES_PER_RATE) {
      this.#samplesAtRate = 0;
      this.#sampleEvery *= 2;
    }
    return performance.now();
  }

  /**
   * Counts a finished request; unsampled, that is all (plain increments). A slow request is always
   * recorded on its own; a sampled hot-path one stands for every request the histogram does not
   * hold yet (the unsampled hits since the last sample), so the histogram's count and quantiles
   * still describe every request: after each record, `latency.count === requests`.
   */
  #finishRequest(t0: number, slow?: true): void {
    const counters = this.#counters;
    counters.requests++;
    if (t0 === t0) {
      const latency = this.#latency;
      latency.record(performance.now() - t0, slow ? 1 : counters.requests - latency.count);
    }
    this.#snapshots?.touch();
  }
}
