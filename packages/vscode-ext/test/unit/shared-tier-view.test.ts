import type { SharedTierStats } from '@barcache/cache-core';
import { aggregateStats } from '@barcache/cache-core';
import { describe, expect, it } from 'vitest';
import { renderStatsBody } from '../../src/stats-html.js';
import { statusBarModel, sumStats } from '../../src/stats-model.js';
import { completeShared, safeLocation, sharedTransition } from '../../src/shared-tier-view.js';
import { viewFromSnapshots } from '../../src/stats-watcher.js';
import { snapshot, stats } from './fixtures.js';

const NOW = Date.UTC(2024, 9, 15, 12);

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

const withShared = (s: ReturnType<typeof stats>, sh: SharedTierStats) => ({ ...s, shared: sh });

describe('the shared team tier in the status bar and stats view', () => {
  it('shows a team marker with the hits summed over processes', () => {
    const view = viewFromSnapshots(
      '/c',
      [
        snapshot(10, 'backtest', withShared(stats({ l1Hits: 90, l2Misses: 10 }), shared({ hits: 7, misses: 2, bytesRead: 4096 })), { updatedAt: 900 }),
        snapshot(11, 'worker', withShared(stats({ l2Misses: 5 }), shared({ hits: 5, leasesWaited: 2 }))),
      ],
      { now: NOW, offline: false, aggregate: (snaps) => aggregateStats(snaps) },
    );
    expect(view.totals.shared).toMatchObject({ hits: 12, misses: 2, leasesWaited: 2, status: 'ok' });
    const m = statusBarModel(view, NOW);
    expect(m.state).toBe('live');
    expect(m.text).toBe('$(database) 86% hit · 105 req · 90 saved · $(organization) team 12');
    expect(m.accessibilityLabel).toMatch(/team cache \(Redis\) 12 hits$/);
    expect(m.tooltipMarkdown).toContain('| Team (Redis) | 12 | 2 | 4.0 KiB |');
    expect(m.tooltipMarkdown).toContain('Team cache: redis://10.0.0.5:6379: ok; 2 leases waited, 0 faults');
    const html = renderStatsBody(view, [], NOW);
    expect(html).toContain('<th>Team (Redis)</th><td class="n">12</td><td class="n">2</td><td class="n">4.0 KiB</td><td class="n">2 leases waited · 0 faults</td>');
  });

  it('is a warning while any process cannot reach Redis, and says what it does', () => {
    const down = shared({ status: 'unavailable', faults: 3, lastFault: { message: 'connect ECONNREFUSED', at: NOW - 60_000 } });
    const view = viewFromSnapshots('/c', [snapshot(10, 'backtest', withShared(stats({ l1Hits: 1 }), down)), snapshot(11, 'w', withShared(stats({}), shared({ hits: 4 })))], {
      now: NOW,
      offline: true,
      aggregate: (snaps) => aggregateStats(snaps),
    });
    const m = statusBarModel(view, NOW);
    expect(m.state).toBe('warning');
    expect(m.text).toBe('$(database) 100% hit · 1 req · 1 saved · $(warning) team offline $(debug-disconnect)');
    expect(m.accessibilityLabel).toContain('team cache (Redis) unreachable, carrying on without it');
    expect(m.tooltipMarkdown).toContain('unreachable, the cache carries on with its local tiers and the provider (last fault 1 min ago: connect ECONNREFUSED); 0 leases waited, 3 faults');
    expect(renderStatsBody(view, [], NOW)).toContain('<p id="shared" class="error">');
  });

  it('without a shared tier nothing changes', () => {
    const m = statusBarModel(viewFromSnapshots('/c', [snapshot(10, 'b', stats({ l1Hits: 1 }))], { now: NOW, offline: false }), NOW);
    expect(m.text).not.toContain('team');
    expect(m.tooltipMarkdown).not.toContain('Team');
  });

  it('the default sum keeps a well-formed shared entry and drops a malformed one', () => {
    expect(sumStats([withShared(stats({}), shared({ hits: 2 })), withShared(stats({}), shared({ hits: 3 }))]).shared!.hits).toBe(5);
    expect(sumStats([{ ...stats({}), shared: { status: 'weird' } as unknown as SharedTierStats }]).shared).toBeUndefined();
    expect(completeShared({ location: 'redis://h:1', status: 'ok', hits: 'x' })!.hits).toBe(0);
  });

  it('says the fault once per outage: only the change from ok to unreachable', () => {
    const ok = shared();
    const down = shared({ status: 'unavailable' });
    expect(sharedTransition(ok, down)).toBe('faulted');
    expect(sharedTransition(undefined, down)).toBe('faulted');
    expect(sharedTransition(down, down)).toBeUndefined();
    expect(sharedTransition(down, ok)).toBe('recovered');
    expect(sharedTransition(ok, ok)).toBeUndefined();
  });

  it('never shows credentials, even if a location carried them', () => {
    expect(safeLocation('redis://alice:s3cret@10.0.0.5:6379')).toBe('redis://10.0.0.5:6379');
    expect(safeLocation('rediss://10.0.0.5:6380 (cluster)')).toBe('rediss://10.0.0.5:6380 (cluster)');
  });
});
