import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { aggregateStats, readStatsSnapshots, StatsSnapshotWriter } from '@barcache/cache-core';
import { makeTempDir, type TempDir } from '@barcache/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { statusBarModel } from '../../src/stats-model.js';
import { StatsWatcher, type StatsSnapshot, viewFromSnapshots } from '../../src/stats-watcher.js';
import { stats } from './fixtures.js';

// The extension reads what cache-core writes: its real writer, reader and aggregator, end to end.
const dirs: TempDir[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await d.cleanup();
});
function tempDir(): string {
  const d = makeTempDir('barcache-contract-');
  dirs.push(d);
  return d.path;
}

describe('stats snapshots from cache-core → status bar', () => {
  it('aggregates two live processes and a closed one; drops a dead pid', async () => {
    const dir = tempDir();
    const now = Date.now();
    const a = new StatsSnapshotWriter({ dir, label: 'backtest', getStats: () => stats({ l1Hits: 90, l2Misses: 10 }), heartbeatMs: 0 });
    const b = new StatsSnapshotWriter({ dir, label: 'barcache warm', pid: process.pid + 1_000_000, getStats: () => stats({ l2Hits: 50, l2Misses: 50 }), heartbeatMs: 0 });
    await a.flush();
    await b.flush();
    // A dead pid on this host: dropped as stale by the reader.
    const dead = { version: 1, pid: 2 ** 22 + 12345, hostname: os.hostname(), label: 'gone', dir, startedAt: now, updatedAt: now, closed: false, stats: stats({ l1Hits: 1000 }) };
    await fs.writeFile(path.join(dir, 'stats', `${dead.pid}.json`), JSON.stringify(dead));

    const alive = (pid: number) => pid === process.pid || pid === process.pid + 1_000_000;
    const live = (await readStatsSnapshots(dir, { now, staleMs: 30_000, isAlive: alive })).filter((e) => !e.stale).map((e) => e.snapshot);
    expect(live.map((s) => s.label).sort()).toEqual(['backtest', 'barcache warm']);
    await b.close();
    const after = (await readStatsSnapshots(dir, { staleMs: 30_000, isAlive: alive })).filter((e) => !e.stale).map((e) => e.snapshot);
    const view = viewFromSnapshots(dir, after, { now, offline: false, aggregate: (s: StatsSnapshot[]) => aggregateStats(s, { include: ['live', 'closed'] }) });
    expect(view.totals.requests).toBe(200);
    expect(view.processes.find((p) => p.label === 'barcache warm')?.closed).toBe(true);
    const m = statusBarModel(view, now);
    expect(m.text).toBe('$(database) 70% hit · 200 req · 140 saved');
    expect(m.accessibilityLabel).toMatch(/^Barcache: hit rate 70 percent, 200 requests, 140 provider calls saved, 2 processes$/);
    await a.close();
  });

  it('the watcher sees a cache-core writer through file events', async () => {
    const dir = tempDir();
    let hits = 0;
    let seen: StatsSnapshot[] = [];
    const w = new StatsWatcher({
      dir,
      staleMs: 30_000,
      pollMs: 60_000,
      debounceMs: 20,
      read: async (d, o) => (await readStatsSnapshots(d, o)).filter((e) => !e.stale).map((e) => e.snapshot),
      onSnapshots: (s) => (seen = s),
    });
    w.start();
    const writer = new StatsSnapshotWriter({ dir, label: 'bt', intervalMs: 0, heartbeatMs: 0, getStats: () => stats({ l1Hits: hits }) });
    try {
      for (const n of [1, 5, 9]) {
        hits = n;
        await writer.flush();
        const end = Date.now() + 3000;
        while (seen[0]?.stats.l1.hits !== n) {
          if (Date.now() > end) throw new Error(`never saw ${n}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    } finally {
      w.stop();
      await writer.close();
    }
  });
});
