/** The mutable counters behind `BarCache.stats()`. Plain fields: incremented on the hot path. */
export class CacheCounters {
  requests = 0;
  l1Hits = 0;
  l1Misses = 0;
  l2Hits = 0;
  l2Misses = 0;
  corruptBlocks = 0;
  providerCalls = 0;
  providerBars = 0;
  providerErrors = 0;
  providerRetries = 0;
  droppedBars = 0;
  /** Answers served from stored bars whose refresh failed (stale if error). */
  staleServed = 0;
  /** Refreshes of stored, still-revisable bars that failed and were served stale instead. */
  refreshFailures = 0;
  prefetchRuns = 0;
  prefetchSymbols = 0;
  lastPrefetchAt: number | undefined;
  readonly startedAt: number;

  constructor(startedAt: number) {
    this.startedAt = startedAt;
  }
}
