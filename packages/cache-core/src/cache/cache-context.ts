import type { PrefaultedBuffers } from '../tiers/memory/prefaulted-buffers.js';
import { BarcacheError, ErrorCode } from '../errors.js';
import { latestBarEnd } from '../planning/gap-planner.js';
import type { BarStore } from '../tiers/disk/bar-store.js';
import type { MemoryTier } from '../tiers/memory/memory-tier.js';
import type { UpstreamTier } from '../tiers/upstream-tier.js';
import type { Interval, TimeRange } from '../types.js';
import type { CacheCounters } from './cache-counters.js';
import type { KeyedMutex } from './keyed-mutex.js';
import type { SeriesCatalog } from './series-catalog.js';

/**
 * What every part of the cache shares: the tiers, the per-series lock, the counters, the clock
 * and the settings. Built once by the façade (bar-cache.ts); the parts hold it, never copy it.
 */
export interface CacheContext {
  readonly memory: MemoryTier;
  readonly store: BarStore;
  readonly catalog: SeriesCatalog;
  /** The first link behind the disk tier (the provider tier, or a shared tier in front of it). */
  readonly upstream: UpstreamTier;
  /** One task at a time per series id, in this process. */
  readonly mutex: KeyedMutex;
  readonly counters: CacheCounters;
  readonly lifecycle: Lifecycle;
  readonly now: () => number;
  readonly provisionalTtlMs: number;
  /** The provider's settle delay (ProviderLimits.settleDelayMs), 0 without limits. */
  readonly settleDelayMs: number;
  readonly offline: boolean;
  /** The earliest bar time asked of the provider (provider-range.ts): queries start no earlier. */
  readonly earliestTime: number;
  readonly memoryMaxBytes: number;
  /** The column buffers large prefetch loads reserve and pre-fault (undefined: `memory.prefault: false`). */
  readonly prefaulted: PrefaultedBuffers | undefined;
  readonly diskMaxBytes: number;
  /** Tells the stats snapshot writer that something changed. */
  touchSnapshots(): void;
}

/** Open or closed; every public entry point asks before it starts. */
export class Lifecycle {
  closed = false;

  assertOpen(): void {
    if (this.closed) throw new BarcacheError(ErrorCode.CLOSED, 'the cache is closed');
  }
}

/**
 * The half-open span a query [start, end] (inclusive) needs at `now`: nothing before the earliest
 * time the provider serves, nothing after the latest bar slot that may exist yet (gap-planner's
 * latestBarEnd).
 */
export function wantedRange(interval: Interval, start: number, endInclusive: number, now: number, earliest: number): TimeRange {
  return { start: Math.max(start, earliest), end: Math.min(endInclusive + 1, latestBarEnd(interval, now)) };
}
