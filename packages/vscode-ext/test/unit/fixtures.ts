import type { CacheStats } from '@barcache/cache-core';
import type { StatsSnapshot } from '../../src/stats-watcher.js';

export function stats(over: {
  l1Hits?: number;
  l1Misses?: number;
  l2Hits?: number;
  l2Misses?: number;
  calls?: number;
  l1Bytes?: number;
  l2Bytes?: number;
  lastWarm?: number;
}): CacheStats {
  const l1Hits = over.l1Hits ?? 0;
  const l2Hits = over.l2Hits ?? 0;
  const l2Misses = over.l2Misses ?? 0;
  const requests = l1Hits + l2Hits + l2Misses;
  const s: CacheStats = {
    requests,
    l1: { hits: l1Hits, misses: over.l1Misses ?? l2Hits + l2Misses, bytes: over.l1Bytes ?? 0, entries: 1, pinnedEntries: 0 },
    l2: { hits: l2Hits, misses: l2Misses, bytes: over.l2Bytes ?? 0, series: 2, corruptBlocks: 0 },
    provider: { calls: over.calls ?? l2Misses, bars: 100, errors: 0, retries: 0, droppedBars: 0 },
    providerCallsSaved: l1Hits + l2Hits,
    hitRate: requests > 0 ? (l1Hits + l2Hits) / requests : 0,
    latency: { count: requests, p50Ms: 0.1, p99Ms: 1, maxMs: 2 },
    prefetch: { runs: 0, symbols: 0 },
    startedAt: 0,
  };
  if (over.lastWarm !== undefined) s.prefetch = { runs: 1, symbols: 3, lastAt: over.lastWarm };
  return s;
}

export function snapshot(pid: number, label: string, s: CacheStats, over: Partial<StatsSnapshot> = {}): StatsSnapshot {
  return { version: 1, pid, hostname: 'host', label, dir: '/c', startedAt: 0, updatedAt: 1000, closed: false, stats: s, ...over };
}
