import type { CacheStats } from '../types.js';
import { combineSharedStats, type SharedStatsPart } from './shared-aggregate.js';
import type { SnapshotState, StatsSnapshotEntry } from './snapshot-reader.js';
import type { StatsSnapshot } from './snapshot-schema.js';

/**
 * The one way stats are summed (the CLI, the status bar, the stats view, the run history, one
 * process's consecutive sessions):
 * - counters add up (requests, hits, misses, provider calls/bars/errors/retries, corrupt blocks…);
 * - sizes are the latest report of their owner: L1 bytes/entries/pinned belong to a process (the
 *   latest per process, added across processes), L2 bytes/series to a cache dir (the latest per
 *   dir, added across dirs), so one database is never counted twice and a shrunk one shows shrunk;
 * - the hit rate is recomputed from the sums; latency counts add, p50 is count-weighted, p99 and
 *   max are maxima; `startedAt` is the earliest, `prefetch.lastAt` the latest;
 * - the shared tier's counters add up, and it is faulted when any process's latest report says
 *   so (shared-aggregate.ts).
 */
export interface StatsPart {
  stats: CacheStats;
  /** The cache dir the figures are about (parts without one share one dir). */
  dir?: string;
  /** Which process reported them (parts without one are each their own process). */
  process?: string;
  /** When they were reported; the latest wins for sizes (ties: the later part). */
  at?: number;
}

export interface AggregateStats extends CacheStats {
  /** How many reports were summed. */
  processes: number;
  /** The newest report time among them (undefined when none had one). */
  updatedAt?: number;
}

/** All-zero stats. */
export function emptyCacheStats(startedAt = 0): CacheStats {
  return {
    requests: 0,
    l1: { hits: 0, misses: 0, bytes: 0, entries: 0, pinnedEntries: 0 },
    l2: { hits: 0, misses: 0, bytes: 0, series: 0, corruptBlocks: 0 },
    provider: { calls: 0, bars: 0, errors: 0, retries: 0, droppedBars: 0 },
    providerCallsSaved: 0,
    hitRate: 0,
    latency: { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 },
    prefetch: { runs: 0, symbols: 0 },
    startedAt,
  };
}

/** Sums reports by the rules above. */
export function combineStats(parts: readonly StatsPart[]): AggregateStats {
  const out: AggregateStats = { ...emptyCacheStats(0), processes: parts.length };
  if (parts.length === 0) return out;
  const latestByProcess = new Map<string, { at: number; s: CacheStats }>();
  const latestByDir = new Map<string, { at: number; s: CacheStats }>();
  const newer = (map: Map<string, { at: number; s: CacheStats }>, key: string, at: number, s: CacheStats) => {
    const cur = map.get(key);
    if (cur === undefined || at >= cur.at) map.set(key, { at, s });
  };
  let startedAt = Infinity;
  let updatedAt: number | undefined;
  let p50Weighted = 0;
  const shared: SharedStatsPart[] = [];
  parts.forEach(({ stats: s, dir, process, at }, i) => {
    const when = at ?? i;
    if (s.shared) shared.push({ shared: s.shared, process: process ?? `#${i}`, at: when });
    newer(latestByProcess, process ?? `#${i}`, when, s);
    newer(latestByDir, dir ?? '', when, s);
    out.requests += s.requests;
    out.l1.hits += s.l1.hits;
    out.l1.misses += s.l1.misses;
    out.l2.hits += s.l2.hits;
    out.l2.misses += s.l2.misses;
    out.l2.corruptBlocks += s.l2.corruptBlocks;
    out.provider.calls += s.provider.calls;
    out.provider.bars += s.provider.bars;
    out.provider.errors += s.provider.errors;
    out.provider.retries += s.provider.retries;
    out.provider.droppedBars += s.provider.droppedBars;
    out.providerCallsSaved += s.providerCallsSaved;
    out.latency.count += s.latency.count;
    p50Weighted += s.latency.p50Ms * s.latency.count;
    out.latency.p99Ms = Math.max(out.latency.p99Ms, s.latency.p99Ms);
    out.latency.maxMs = Math.max(out.latency.maxMs, s.latency.maxMs);
    out.prefetch.runs += s.prefetch.runs;
    out.prefetch.symbols += s.prefetch.symbols;
    if (s.prefetch.lastAt !== undefined) out.prefetch.lastAt = Math.max(out.prefetch.lastAt ?? -Infinity, s.prefetch.lastAt);
    startedAt = Math.min(startedAt, s.startedAt);
    if (at !== undefined) updatedAt = Math.max(updatedAt ?? -Infinity, at);
  });
  for (const { s } of latestByProcess.values()) {
    out.l1.bytes += s.l1.bytes;
    out.l1.entries += s.l1.entries;
    out.l1.pinnedEntries += s.l1.pinnedEntries;
  }
  for (const { s } of latestByDir.values()) {
    out.l2.bytes += s.l2.bytes;
    out.l2.series += s.l2.series;
  }
  out.latency.p50Ms = out.latency.count > 0 ? p50Weighted / out.latency.count : 0;
  out.hitRate = out.requests > 0 ? (out.l1.hits + out.l2.hits) / out.requests : 0;
  out.startedAt = startedAt;
  const sharedSum = combineSharedStats(shared);
  if (sharedSum) out.shared = sharedSum;
  if (updatedAt !== undefined) out.updatedAt = updatedAt;
  return out;
}

/**
 * Sums snapshots into one figure (status bar, `barcache stats`). By default only `live` entries
 * count; pass `include` to add `closed` or `stale` ones. Bare StatsSnapshots count as `live`
 * (or `closed` when flagged so). See combineStats for the rules.
 */
export function aggregateStats(
  snapshots: readonly (StatsSnapshotEntry | StatsSnapshot)[],
  options: { include?: readonly SnapshotState[] } = {},
): AggregateStats {
  const include = new Set<SnapshotState>(options.include ?? ['live']);
  const chosen: StatsSnapshot[] = [];
  for (const s of snapshots) {
    if ('snapshot' in s) {
      if (include.has(s.state)) chosen.push(s.snapshot);
    } else if (include.has(s.closed ? 'closed' : 'live')) {
      chosen.push(s);
    }
  }
  return combineStats(chosen.map((s) => ({ stats: s.stats, dir: s.dir, process: `${s.pid}@${s.hostname}`, at: s.updatedAt })));
}

/** Two consecutive cache sessions of one process (`b` after `a`) as one: combineStats' rules. */
export function addCacheStats(a: CacheStats, b: CacheStats): CacheStats {
  const { processes: _p, updatedAt: _u, ...sum } = combineStats([
    { stats: a, dir: 'one', process: 'one', at: 0 },
    { stats: b, dir: 'one', process: 'one', at: 1 },
  ]);
  return sum;
}
