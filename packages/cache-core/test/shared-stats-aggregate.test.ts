/**
 * The shared tier in the stats snapshots: a real schema (a malformed `shared` is rejected, not
 * passed through) and one aggregation over processes (counters add up; faulted when any process's
 * latest report is).
 */
import { describe, expect, it } from 'vitest';
import { aggregateStats, addCacheStats, emptyCacheStats, type StatsSnapshot } from '../src/stats/stats-snapshot.js';
import { statsSnapshotSchema } from '../src/stats/snapshot-validation.js';
import type { SharedTierStats } from '../src/tiers/shared/shared-counters.js';
import type { CacheStats } from '../src/types.js';

function shared(over: Partial<SharedTierStats> = {}): SharedTierStats {
  return {
    location: 'redis://10.0.0.5:6379',
    status: 'ok',
    hits: 0,
    misses: 0,
    bytesRead: 0,
    bytesWritten: 0,
    leasesWaited: 0,
    leaseTimeouts: 0,
    publishes: 0,
    fenced: 0,
    corrupt: 0,
    faults: 0,
    ...over,
  };
}

function withShared(s: SharedTierStats | undefined): CacheStats {
  const stats = emptyCacheStats(1000);
  if (s) stats.shared = s;
  return stats;
}

const snap = (pid: number, at: number, s: SharedTierStats | undefined): StatsSnapshot => ({
  version: 1,
  pid,
  hostname: 'h',
  label: 'p',
  dir: '/d',
  startedAt: 0,
  updatedAt: at,
  closed: false,
  stats: withShared(s),
});

describe('shared tier in stats snapshots', () => {
  it('the schema accepts the tier figures and rejects a malformed shared entry', () => {
    const good = snap(1, 10, shared({ hits: 3, status: 'unavailable', faults: 2, lastFault: { message: 'down', at: 5 } }));
    expect(statsSnapshotSchema.safeParse(good).success).toBe(true);
    expect(statsSnapshotSchema.safeParse(snap(1, 10, undefined)).success).toBe(true);
    const bad = JSON.parse(JSON.stringify(good));
    bad.stats.shared.status = 'maybe';
    expect(statsSnapshotSchema.safeParse(bad).success).toBe(false);
    const negative = JSON.parse(JSON.stringify(good));
    negative.stats.shared.hits = -1;
    expect(statsSnapshotSchema.safeParse(negative).success).toBe(false);
    const noLocation = JSON.parse(JSON.stringify(good));
    delete noLocation.stats.shared.location;
    expect(statsSnapshotSchema.safeParse(noLocation).success).toBe(false);
  });

  it('sums counters over processes and is faulted while any process is', () => {
    const agg = aggregateStats([
      snap(1, 100, shared({ hits: 5, misses: 1, bytesRead: 1000, leasesWaited: 1 })),
      snap(2, 200, shared({ hits: 7, bytesWritten: 500, faults: 3, status: 'unavailable', lastFault: { message: 'Redis at redis://10.0.0.5:6379: connect ECONNREFUSED', at: 150 } })),
      snap(3, 150, undefined),
    ]);
    expect(agg.shared).toMatchObject({ hits: 12, misses: 1, bytesRead: 1000, bytesWritten: 500, leasesWaited: 1, faults: 3, status: 'unavailable' });
    expect(agg.shared!.lastFault!.at).toBe(150);
    expect(agg.shared!.location).toBe('redis://10.0.0.5:6379');
  });

  it('a process that reached Redis again is no longer faulted: its latest report decides', () => {
    const faulted = shared({ faults: 2, status: 'unavailable', lastFault: { message: 'down', at: 50 } });
    const back = shared({ faults: 2, hits: 4, status: 'ok', lastFault: { message: 'down', at: 50 } });
    // One process's consecutive sessions: the later one is back.
    expect(addCacheStats(withShared(faulted), withShared(back)).shared!.status).toBe('ok');
    expect(addCacheStats(withShared(back), withShared(faulted)).shared!.status).toBe('unavailable');
    // Two processes, one still down.
    expect(aggregateStats([snap(1, 100, back), snap(2, 90, faulted)]).shared!.status).toBe('unavailable');
  });

  it('has no shared entry when no process has a shared tier', () => {
    expect(aggregateStats([snap(1, 100, undefined)]).shared).toBeUndefined();
    expect(aggregateStats([]).shared).toBeUndefined();
  });
});
