/**
 * The public contract of cache-core (see ../../../docs/architecture.md). Adapters, the VS Code
 * extension and outside checks rely on these names and meanings.
 */
import type { RepairReport } from './tiers/disk/store-repair.js';

import type { SharedTierStats } from './tiers/shared/shared-counters.js';
import type { SharedFault, SharedTierOptions } from './tiers/shared/shared-options.js';

export type { SharedFault, SharedTierOptions, SharedTierStats };

export const INTERVALS = ['1m', '2m', '5m', '15m', '30m', '60m', '90m', '1h', '1d', '5d', '1wk', '1mo', '3mo'] as const;
export type Interval = (typeof INTERVALS)[number];

/**
 * One OHLCV bar. `time` is epoch ms UTC of the bar's open. Daily and longer bars use 00:00 UTC of
 * the exchange-local trading date, so '2024-10-01' names the bar of 1 Oct 2024 whatever the
 * exchange's time zone.
 */
export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  adjClose?: number;
}

/** 'YYYY-MM-DD' (00:00 UTC of that date), an ISO date-time, epoch ms, or a Date. */
export type TimeInput = Date | number | string;

/** getBars returns the bars with start <= time <= end (both ends inclusive), ascending, no duplicates. */
export interface BarQuery {
  symbol: string;
  interval: Interval;
  start: TimeInput;
  end: TimeInput;
  /**
   * Strict freshness: when a refresh of stored, still-revisable bars fails, fail the call (with the
   * provider's error) instead of serving the stored bars marked stale. Default false.
   */
  strict?: boolean;
  /** Filled in by the call (as lru-cache's `status` option): where the answer came from, stale or not. */
  status?: BarsStatus;
}

/** What getBars tells a caller that passes `status` about its answer. */
export interface BarsStatus {
  /** 'l1': memory alone; 'l2': disk without the provider; 'provider': the provider was asked. */
  source?: 'l1' | 'l2' | 'provider';
  /**
   * True when part of the answer is stored bars whose refresh failed (served stale if error); the
   * refresh is retried after the provisional TTL. `staleRanges` names the parts, `error` the failure.
   */
  stale?: boolean;
  staleRanges?: TimeRange[];
  error?: { code: string; message: string };
  /** Bars inside the range the provider sent without prices (missing from the answer): see SeriesHoles. */
  holes?: number;
}

/** Bars the provider sent without prices, so missing from the cache. */
export interface SeriesHoles {
  /** Still asked again after the provisional TTL (a bounded number of times). */
  pending: number;
  /** Asked the maximum number of times, always without prices: kept as known holes, not asked again. */
  known: number;
}

/** A half-open span of time [start, end) in epoch ms. Used for coverage, gaps and provider requests. */
export interface TimeRange {
  start: number;
  end: number;
}

export interface Split {
  time: number;
  numerator: number;
  denominator: number;
}

export interface Dividend {
  time: number;
  amount: number;
}

/** [start, end) half-open, epoch ms. */
export interface ProviderRequest {
  symbol: string;
  interval: Interval;
  start: number;
  end: number;
  signal?: AbortSignal;
}

export interface ProviderResult {
  bars: Bar[];
  splits?: Split[];
  dividends?: Dividend[];
  /** How many bars the provider sent with a null price and were dropped. */
  droppedBars?: number;
  /** How many retries (after the first attempt) this answer took. */
  retries?: number;
  /** The exchange's IANA time zone when the provider knows it (Yahoo's `exchangeTimezoneName`). */
  exchangeTimezone?: string;
  /** Times of the bars dropped because the provider sent null prices (their count is droppedBars). */
  droppedTimes?: number[];
  /** The first trading day/time the provider knows for the symbol (Yahoo meta.firstTradeDate), epoch ms. */
  firstTradeTime?: number;
}

/** Per-interval limits of a provider, in ms. Yahoo changes them without notice: keep them in config. */
export interface ProviderLimits {
  /** The longest span one request may cover. `Infinity` for no limit. */
  maxSpanMs: Partial<Record<Interval, number>>;
  /** How far back from now the provider serves an interval at all. `Infinity` for all history. */
  maxAgeMs: Partial<Record<Interval, number>>;
  /** Bars younger than this may still be revised by the provider (beyond the forming bar). */
  settleDelayMs: number;
  /**
   * The earliest bar time the provider serves at all, epoch ms; queries starting earlier are served
   * from here. Default: 1900-01-01 UTC (the start of Yahoo's own 'max' range).
   */
  earliestTime?: number;
}

export interface BarProvider {
  /** Part of the series identity: two providers with different names never share bars. */
  readonly name: string;
  /** Optional: the provider's per-interval limits; the planner splits requests to fit them. */
  readonly limits?: ProviderLimits;
  fetchBars(req: ProviderRequest): Promise<ProviderResult>;
}

export interface PrefetchPlan {
  symbols: string[];
  interval: Interval;
  start: TimeInput;
  end: TimeInput;
  /** How much history before `start` the backtest reads: in bars, in calendar days, or both (the larger wins). */
  lookback?: { bars?: number; days?: number };
  /** Called as each symbol finishes (for progress bars). */
  onProgress?: (event: PrefetchProgress) => void;
  signal?: AbortSignal;
}

export interface PrefetchProgress {
  symbol: string;
  done: number;
  total: number;
  status: 'ok' | 'failed';
  error?: { code: string; message: string };
}

export interface PrefetchSymbolReport {
  symbol: string;
  /** The range made resident: [start − lookback, end], inclusive ms bounds. */
  start: number;
  end: number;
  bars: number;
  /** Bars found before the backtest's start (the lookback actually available). */
  lookbackBars: number;
  /** False when the provider has fewer bars before `start` than the lookback asked for (a young listing). */
  lookbackSatisfied: boolean;
  providerCalls: number;
  /** Where the bars came from: memory, disk, the provider, both disk and provider, or the shared team tier (Redis). */
  source: 'l1' | 'l2' | 'provider' | 'mixed' | 'shared';
  /** Held in memory as a sliding window rather than whole (too large for the memory budget). */
  windowed: boolean;
  /** Bars in the prepared range the provider sent without prices (missing; see SeriesHoles). Absent when none. */
  holes?: number;
  error?: { code: string; message: string };
}

export interface PrefetchReport {
  interval: Interval;
  symbols: PrefetchSymbolReport[];
  providerCalls: number;
  barsFetched: number;
  elapsedMs: number;
  /** Symbols that failed (their error is in `symbols[i].error`). Others are still usable. */
  failed: string[];
}

/** What prefetch returns: the report and the pins it holds. */
export interface PrefetchSession extends AsyncDisposable {
  readonly report: PrefetchReport;
  /** Unpins this session's series (they stay cached, in the LRU). Idempotent. */
  release(): void;
  /** The same as release(). */
  [Symbol.asyncDispose](): Promise<void>;
}

export interface TierStats {
  hits: number;
  misses: number;
  bytes: number;
}

export interface CacheStats {
  /** getBars calls answered (successfully or not). */
  requests: number;
  /** L1 hit = served from memory alone. */
  l1: TierStats & { entries: number; pinnedEntries: number };
  /** L2 hit = served from disk without the provider. `bytes` = stored size on disk. */
  l2: TierStats & { series: number; corruptBlocks: number };
  provider: { calls: number; bars: number; errors: number; retries: number; droppedBars: number };
  /** Requests served without calling the provider (l1.hits + l2.hits). */
  providerCallsSaved: number;
  /** (l1.hits + l2.hits) / requests, 0 when no requests. */
  hitRate: number;
  /** getBars latency in ms over this process's life. */
  latency: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
  prefetch: { runs: number; symbols: number; lastAt?: number };
  startedAt: number;
  /** Holes over every stored series (bars the provider sent without prices). */
  holes?: SeriesHoles;
  /** Stale if error: answers served from stored bars whose refresh failed, and the failed refreshes. */
  stale?: { served: number; refreshFailures: number };
  /** The shared team tier (Redis), when one is configured: hits, misses, bytes, leases, faults. */
  shared?: SharedTierStats;
}

export interface SeriesInfo {
  provider: string;
  symbol: string;
  interval: Interval;
  /** Fetched ranges, half-open, merged. Weekends and holidays inside are covered. */
  covered: TimeRange[];
  bars: number;
  bytes: number;
  firstBar?: number;
  lastBar?: number;
  lastFetchedAt?: number;
  lastAccessAt?: number;
  /** Present when the series has holes (bars the provider sent without prices). */
  holes?: SeriesHoles;
  /** The first trading time the provider reported for the symbol, when it did. */
  firstTradeTime?: number;
  /** The exchange's IANA time zone, when the provider reported it (Yahoo's exchangeTimezoneName). */
  timezone?: string;
}

export interface ExplainReport {
  symbol: string;
  interval: Interval;
  start: number;
  end: number;
  /**
   * Sub-ranges and the tier that would serve each. `shared` = missing locally, held by the shared
   * team tier; `provider` = missing, would be fetched.
   */
  parts: { range: TimeRange; tier: 'l1' | 'l2' | 'shared' | 'provider' }[];
  /** The provider requests a getBars would make now (after widening, merging and splitting). */
  plannedRequests: TimeRange[];
  missing: TimeRange[];
  /** Bar times inside the range that the provider sent without prices: still asked (`pending`) or given up on (`known`). */
  holes?: { pending: number[]; known: number[] };
  /** Parts served stale (their refresh failed; retried after the provisional TTL). */
  stale?: TimeRange[];
  /** Parts the provider cannot serve (a getBars over them raises OUT_OF_PROVIDER_RANGE), and the span it serves. */
  outOfProviderRange?: { ranges: TimeRange[]; served: TimeRange };
}

export interface ClearFilter {
  symbol?: string;
  interval?: Interval;
  /** Drop bars (and coverage) before this time. */
  before?: TimeInput;
}

/** What openCache({ repair: true }) and `barcache repair` found and did (see tiers/disk/store-repair.ts). */
export type { RepairReport } from './tiers/disk/store-repair.js';

export interface OpenCacheOptions {
  /** Default: $BARCACHE_DIR, else the OS cache dir (~/.cache/barcache on Linux). */
  dir?: string;
  /** Default: new YahooProvider(). */
  provider?: BarProvider;
  /**
   * L1 budget. Default maxBytes: 256 MiB. `prefault` (default true): a prefetch that will load
   * 8 MiB or more of columns from disk allocates them up front and has a worker thread take their
   * page faults while it reads and decodes (the columns are then backed by SharedArrayBuffers).
   */
  memory?: { maxBytes?: number; prefault?: boolean };
  /** L2 budget; whole least-recently-used series are evicted past it, never one in use. Default: unlimited. */
  disk?: { maxBytes?: number };
  /** Never call the provider; a miss is an OFFLINE_MISS error naming the missing ranges. */
  offline?: boolean;
  /** Injected clock (epoch ms), as lru-cache injects `perf`. Default: Date.now. */
  now?: () => number;
  /** How long a bar that may still change is served before it is refetched. Default: 60 s. */
  provisionalTtlMs?: number;
  /**
   * Many processes share a cache dir (one leads, the others follow it over a socket). This is how
   * long to wait when the dir is held and nobody serves it (an `exclusive` holder), or, with
   * `exclusive`, for the dir to be free, before LOCKED naming the holder. Default: 2000 ms.
   */
  lockTimeoutMs?: number;
  /** Take the cache dir for this process alone (e.g. for a repair): waits up to `lockTimeoutMs`, then LOCKED. */
  exclusive?: boolean;
  /** A leader process that stops answering for this long is reported as LEADER_UNRESPONSIVE (naming its pid). Default: 20 s. */
  leaderTimeoutMs?: number;
  /** Write `<dir>/stats/<pid>.json` snapshots for other tools. Default: true. */
  statsSnapshots?: boolean;
  /** A label for this process in stats snapshots (e.g. 'barcache warm', 'backtest'). Default: argv. */
  processLabel?: string;
  /**
   * Check the database before opening (every key and value is read) and repair it if it is
   * damaged: LevelDB's own repair first; if that fails, the old database is moved aside to
   * `<dir>/db-damaged-<time>` (never deleted) and a fresh one started. See docs/recovery.md.
   */
  repair?: boolean;
  /** Told what `repair: true` found and did. */
  onRepair?: (report: RepairReport) => void;
  /**
   * A shared team tier on Redis between the disk tier and the provider (memory → disk → Redis →
   * provider): `{ url: 'redis://host:6379' }` (or `rediss://` for TLS), or a URL string. Default:
   * $BARCACHE_SHARED_URL when set, else none; `false` turns it off whatever the environment says.
   * Without it nothing Redis-related is loaded.
   */
  shared?: SharedTierOptions | string | false;
  /**
   * Told once each time the shared tier goes from working to failing (Redis down, slow or full),
   * with a message free of credentials; the cache carries on without it. Default: a process
   * warning with code BARCACHE_SHARED_UNAVAILABLE.
   */
  onSharedFault?: (fault: SharedFault) => void;
}

/** A columnar window of one series (see BarCache.peekColumns): equal-length typed arrays, `time` ascending. */
export interface ColumnWindow {
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Present when some bar of the series has an adjusted close; NaN for a bar without one. */
  readonly adjClose: Float64Array | undefined;
}

export interface BarCache {
  readonly dir: string;
  readonly offline: boolean;
  getBars(q: BarQuery): Promise<Bar[]>;
  /**
   * Memory-only lookup for synchronous callers (e.g. a grademark rule reading another symbol):
   * returns the bars if L1 holds the whole range fresh, else `undefined`. Never does I/O.
   */
  peekBars(q: BarQuery): Bar[] | undefined;
  /**
   * The zero-copy columnar window: the bars of `q` (start <= time <= end) as typed-array views
   * (`subarray`) of the resident series, if L1 holds the whole range fresh, else `undefined`.
   * Never does I/O and allocates no per-bar objects, so an indicator loop over it runs at array speed.
   *
   * Lifetime rules (see docs/columnar-window.md):
   * - Read only: the arrays share memory with the cache; writing to them corrupts what later reads return.
   * - Valid until the prefetch session holding the series is released (or the cache closed). The
   *   views never dangle (they keep their memory alive), but after the release the cache may evict
   *   the series and memory held through old views is no longer counted in `memory.maxBytes`.
   * - A snapshot: bars the cache refreshes later (a forming bar refetched after its TTL, a split
   *   re-basing) appear in a new window, never in one already handed out.
   */
  peekColumns(q: BarQuery): ColumnWindow | undefined;
  /**
   * Fills and loads every series of the plan and pins them in memory until the returned session is
   * released (or disposed: `await using session = await cache.prefetch(plan)`). `close()` releases
   * every session.
   */
  prefetch(plan: PrefetchPlan): Promise<PrefetchSession>;
  stats(): CacheStats;
  listSeries(): Promise<SeriesInfo[]>;
  explain(q: BarQuery): Promise<ExplainReport>;
  /**
   * The shared team tier: asks Redis whether it answers now (one round trip) and returns the tier's
   * figures (`status` 'ok' or 'unavailable'); undefined without a shared tier. Never throws for a
   * Redis fault.
   */
  checkShared?(): Promise<SharedTierStats | undefined>;
  clear(filter?: ClearFilter): Promise<void>;
  close(): Promise<void>;
}
