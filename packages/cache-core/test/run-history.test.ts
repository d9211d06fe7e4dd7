/**
 * Stats that remember: each process's final figures land in `<dir>/stats/runs/` when it closes
 * the cache (real child processes, real LevelDB), bounded, readable after the process is gone; and
 * one aggregation rule for sums of figures.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTempDir } from '@barcache/test-support';
import { readRunHistory, recordRun, sumRuns } from '../src/stats/run-history.js';
import type { RunRecord } from '../src/stats/snapshot-schema.js';
import { addCacheStats, aggregateStats, combineStats, emptyCacheStats } from '../src/stats/stats-aggregate.js';
import type { CacheStats } from '../src/types.js';

const CORE = fileURLToPath(new URL('../src/index.ts', import.meta.url));

function stats(over: { requests?: number; l1Hits?: number; l2Bytes?: number; l1Bytes?: number; calls?: number }): CacheStats {
  const s = emptyCacheStats(1);
  s.requests = over.requests ?? 0;
  s.l1.hits = over.l1Hits ?? 0;
  s.l1.bytes = over.l1Bytes ?? 0;
  s.l2.bytes = over.l2Bytes ?? 0;
  s.provider.calls = over.calls ?? 0;
  return s;
}

function run(pid: number, endedAt: number, s: CacheStats, label = 'x'): RunRecord {
  return { version: 1, pid, hostname: 'h', label, dir: '/d', startedAt: endedAt - 10, endedAt, stats: s };
}

describe('run history', () => {
  const temp = useTempDir('barcache-runs-', { beforeEach, afterEach });

  it('records each process that closes the cache, across processes, newest first', { timeout: 120_000 }, async () => {
    const dir = join(temp.path, 'cache');
    // Three separate processes use the dir one after another (an in-memory provider: no network).
    const script = `
      import { openCache } from ${JSON.stringify(CORE)};
      const [label, symbol] = process.argv.slice(-2);
      const provider = { name: 'mem', fetchBars: async () => ({ bars: [{ time: Date.UTC(2024, 0, 2), open: 1, high: 2, low: 0.5, close: 1.5, volume: 1 }] }) };
      const cache = await openCache({ dir: ${JSON.stringify(dir)}, provider, processLabel: label });
      await cache.getBars({ symbol, interval: '1d', start: '2024-01-02', end: '2024-01-02' });
      await cache.getBars({ symbol, interval: '1d', start: '2024-01-02', end: '2024-01-02' });
      await cache.close();`;
    for (const [label, symbol] of [['first', 'AAA'], ['second', 'AAA'], ['third', 'BBB']]) {
      await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, label!, symbol!]);
    }
    const runs = await readRunHistory(dir);
    expect(runs.map((r) => r.label)).toEqual(['third', 'second', 'first']);
    expect(runs.map((r) => r.stats.provider.calls)).toEqual([1, 0, 1]);
    expect(runs.map((r) => r.stats.requests)).toEqual([2, 2, 2]);
    const total = sumRuns(runs);
    expect(total.requests).toBe(6);
    expect(total.provider.calls).toBe(2);
    // The dir's size is the latest run's figure, not a sum over runs.
    expect(total.l2.bytes).toBe(runs[0]!.stats.l2.bytes);
  });

  it('is bounded: the oldest runs go', async () => {
    for (let i = 0; i < 8; i++) await recordRun(temp.path, run(100 + i, 1_700_000_000_000 + i, stats({ requests: i })), 5);
    expect(readdirSync(join(temp.path, 'stats', 'runs'))).toHaveLength(5);
    expect((await readRunHistory(temp.path)).map((r) => r.stats.requests)).toEqual([7, 6, 5, 4, 3]);
    expect(await readRunHistory(join(temp.path, 'nothing-here'))).toEqual([]);
  });
});

describe('one aggregation', () => {
  it('L2 bytes are the latest report per dir, whichever entry point sums them', () => {
    const older = stats({ requests: 10, l1Hits: 5, l2Bytes: 9000, l1Bytes: 100 });
    const newer = stats({ requests: 4, l1Hits: 4, l2Bytes: 6000, l1Bytes: 50 });
    const snap = (pid: number, at: number, s: CacheStats) => ({ version: 1 as const, pid, hostname: 'h', label: 'p', dir: '/d', startedAt: 0, updatedAt: at, closed: false, stats: s });
    // Two processes on one dir: the newer report of the dir's size wins (it shrank: a clear).
    const agg = aggregateStats([snap(1, 200, newer), snap(2, 100, older)]);
    expect(agg.l2.bytes).toBe(6000);
    expect(agg.l1.bytes).toBe(150);
    expect(agg.requests).toBe(14);
    expect(agg.hitRate).toBeCloseTo(9 / 14);
    // One process, two consecutive sessions: the same rule.
    const added = addCacheStats(older, newer);
    expect(added.l2.bytes).toBe(6000);
    expect(added.l1.bytes).toBe(50);
    expect(added.requests).toBe(14);
    // Two dirs add up.
    expect(combineStats([{ stats: older, dir: '/a' }, { stats: newer, dir: '/b' }]).l2.bytes).toBe(15000);
  });
});
