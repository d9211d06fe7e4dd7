import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@barcache/test-support';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  aggregateStats,
  emptyCacheStats,
  pruneStatsSnapshots,
  readStatsSnapshots,
  statsSnapshotPath,
  statsSnapshotSchema,
  StatsSnapshotWriter,
  type StatsSnapshot,
} from '../src/stats/stats-snapshot.js';
import type { CacheStats } from '../src/types.js';

let tmp: TempDir;
let dir: string;
beforeEach(() => {
  tmp = makeTempDir('barcache-stats-');
  dir = tmp.path;
});
afterEach(async () => {
  vi.useRealTimers();
  await tmp.cleanup();
});

function stats(over: { requests?: number; l1Hits?: number; l2Hits?: number; calls?: number; l2Bytes?: number; p50?: number; p99?: number; count?: number } = {}): CacheStats {
  const s = emptyCacheStats(1000);
  s.requests = over.requests ?? 0;
  s.l1.hits = over.l1Hits ?? 0;
  s.l2.hits = over.l2Hits ?? 0;
  s.l1.misses = s.requests - s.l1.hits;
  s.l2.misses = s.l1.misses - s.l2.hits;
  s.provider.calls = over.calls ?? 0;
  s.providerCallsSaved = s.l1.hits + s.l2.hits;
  s.hitRate = s.requests ? s.providerCallsSaved / s.requests : 0;
  s.l2.bytes = over.l2Bytes ?? 0;
  s.latency = { count: over.count ?? 0, p50Ms: over.p50 ?? 0, p99Ms: over.p99 ?? 0, maxMs: (over.p99 ?? 0) * 2 };
  return s;
}

function snapshot(pid: number, over: Partial<StatsSnapshot> = {}): StatsSnapshot {
  return { version: 1, pid, hostname: hostname(), label: 'test', dir, startedAt: 1000, updatedAt: 10_000, closed: false, stats: stats(), ...over };
}

async function put(name: string, body: string): Promise<void> {
  await mkdir(join(dir, 'stats'), { recursive: true });
  await writeFile(join(dir, 'stats', name), body);
}

/** A pid that surely exited: a child that ran and was waited for. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('StatsSnapshotWriter', () => {
  it('flush writes <dir>/stats/<pid>.json atomically: valid JSON, no temp files left', async () => {
    let n = 0;
    const w = new StatsSnapshotWriter({ dir, label: 'backtest', getStats: () => stats({ requests: ++n }), pid: 4242, heartbeatMs: 0, now: () => 5000 });
    await w.flush();
    expect(w.path).toBe(statsSnapshotPath(dir, 4242));
    const snap = statsSnapshotSchema.parse(JSON.parse(await readFile(w.path, 'utf8')));
    expect(snap).toMatchObject({ version: 1, pid: 4242, label: 'backtest', dir, closed: false, updatedAt: 5000, startedAt: 5000 });
    expect(snap.stats.requests).toBe(1);
    expect(await readdir(join(dir, 'stats'))).toEqual(['4242.json']);
  });

  it('readers never see a partial file while writes race', async () => {
    let n = 0;
    const w = new StatsSnapshotWriter({ dir, label: 'x', getStats: () => stats({ requests: ++n }), pid: 7, heartbeatMs: 0 });
    await w.flush();
    const writes = (async () => {
      for (let i = 0; i < 60; i++) await w.flush();
    })();
    let reads = 0;
    let done = false;
    void writes.then(() => (done = true));
    while (!done) {
      const text = await readFile(w.path, 'utf8');
      expect(() => statsSnapshotSchema.parse(JSON.parse(text))).not.toThrow();
      reads++;
    }
    await writes;
    expect(reads).toBeGreaterThan(0);
    expect((await readdir(join(dir, 'stats'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('touch is throttled to one write per intervalMs, with a trailing write of the latest state', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    let clock = 0;
    let requests = 0;
    const w = new StatsSnapshotWriter({ dir, label: 'x', intervalMs: 1000, getStats: () => stats({ requests }), now: () => clock, pid: 9, heartbeatMs: 0 });
    requests = 1;
    w.touch(); // leading write at t=0
    await w.whenIdle();
    expect(w.writes).toBe(1);
    for (clock = 100; clock <= 900; clock += 100) {
      requests++;
      w.touch(); // inside the interval: only schedules one trailing write
    }
    await w.whenIdle();
    expect(w.writes).toBe(1);
    expect(w.pending).toBe(true);
    clock = 1000;
    await vi.advanceTimersByTimeAsync(1000);
    await w.whenIdle();
    expect(w.writes).toBe(2);
    const snap = statsSnapshotSchema.parse(JSON.parse(await readFile(w.path, 'utf8')));
    expect(snap.stats.requests).toBe(10); // the last state landed
    expect(snap.updatedAt).toBe(1000);
    // Long after: the next touch writes at once.
    clock = 5000;
    w.touch();
    await w.whenIdle();
    expect(w.writes).toBe(3);
    expect(w.pending).toBe(false);
    await w.close();
  });

  it('close writes closed: true, cancels a pending write, and later touches do nothing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    let clock = 0;
    const w = new StatsSnapshotWriter({ dir, label: 'x', getStats: () => stats(), now: () => clock, pid: 11, heartbeatMs: 0 });
    w.touch();
    clock = 10;
    w.touch();
    await w.close();
    expect(w.pending).toBe(false);
    const writes = w.writes;
    w.touch();
    await vi.advanceTimersByTimeAsync(5000);
    await w.whenIdle();
    expect(w.writes).toBe(writes);
    expect(JSON.parse(await readFile(w.path, 'utf8')).closed).toBe(true);
    await w.close(); // idempotent
  });

  it('closeSync writes the closed snapshot synchronously', async () => {
    const w = new StatsSnapshotWriter({ dir, label: 'x', getStats: () => stats({ requests: 3 }), pid: 12, heartbeatMs: 0 });
    w.closeSync();
    const snap = JSON.parse(await readFile(w.path, 'utf8'));
    expect(snap.closed).toBe(true);
    expect(snap.stats.requests).toBe(3);
  });

  it('heartbeat rewrites an idle snapshot', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    let clock = 0;
    const w = new StatsSnapshotWriter({ dir, label: 'x', getStats: () => stats(), now: () => clock, pid: 13, heartbeatMs: 10_000 });
    clock = 10_000;
    await vi.advanceTimersByTimeAsync(10_000);
    await w.whenIdle();
    expect(w.writes).toBe(1);
    await w.close();
  });

  it('a failing write is kept in lastError and never thrown', async () => {
    await writeFile(join(dir, 'stats'), 'a file where the folder should be');
    const w = new StatsSnapshotWriter({ dir, label: 'x', getStats: () => stats(), pid: 14, heartbeatMs: 0 });
    await expect(w.flush()).resolves.toBeUndefined();
    expect(w.lastError).toBeDefined();
    const throwing = new StatsSnapshotWriter({ dir, label: 'x', getStats: () => { throw new Error('boom'); }, pid: 15, heartbeatMs: 0 });
    await expect(throwing.flush()).resolves.toBeUndefined();
    expect((throwing.lastError as Error).message).toBe('boom');
  });
});

describe('readStatsSnapshots', () => {
  it('a missing stats folder gives []', async () => {
    expect(await readStatsSnapshots(join(dir, 'nope'))).toEqual([]);
  });

  it('reads live snapshots, marks dead pids and old ones stale, skips garbage', async () => {
    const now = 100_000;
    const dead = await deadPid();
    await put(`${process.pid}.json`, JSON.stringify(snapshot(process.pid, { updatedAt: now - 1000 })));
    await put(`${dead}.json`, JSON.stringify(snapshot(dead, { updatedAt: now - 1000 })));
    await put('1.json', JSON.stringify(snapshot(1, { updatedAt: now - 60_000, hostname: 'elsewhere' })));
    await put('2.json', JSON.stringify(snapshot(2, { updatedAt: now - 500, hostname: 'elsewhere' }))); // other host: pid unchecked
    await put('3.json', JSON.stringify(snapshot(3, { updatedAt: now - 500, hostname: 'elsewhere', closed: true })));
    await put('123.json', '{not json');
    await put('124.json', JSON.stringify(snapshot(124)).slice(0, 40)); // partial
    await put('125.json', JSON.stringify({ ...snapshot(125), version: 2 }));
    await put('126.json', JSON.stringify({ ...snapshot(126), stats: { requests: 1 } }));
    await put(`${process.pid}.json.abc.tmp`, '{');
    await put('notes.txt', 'hello');
    const entries = await readStatsSnapshots(dir, { now, staleMs: 30_000 });
    const byPid = Object.fromEntries(entries.map((e) => [e.snapshot.pid, [e.state, e.staleReason]]));
    expect(byPid).toEqual({
      1: ['stale', 'old'],
      2: ['live', undefined],
      3: ['closed', undefined],
      [process.pid]: ['live', undefined],
      [dead]: ['stale', 'dead'],
    });
    expect(entries.map((e) => e.snapshot.pid)).toEqual([...entries.map((e) => e.snapshot.pid)].sort((a, b) => a - b));
  });

  it('uses an injected liveness check', async () => {
    await put('77.json', JSON.stringify(snapshot(77, { updatedAt: 0 })));
    const [e] = await readStatsSnapshots(dir, { now: 0, isAlive: () => false });
    expect(e?.staleReason).toBe('dead');
    const [f] = await readStatsSnapshots(dir, { now: 0, isAlive: () => true });
    expect(f?.state).toBe('live');
  });

  it('round-trips what the writer wrote', async () => {
    const w = new StatsSnapshotWriter({ dir, label: 'warm', getStats: () => stats({ requests: 5, l1Hits: 4 }), heartbeatMs: 0 });
    await w.flush();
    const [e] = await readStatsSnapshots(dir);
    expect(e?.state).toBe('live');
    expect(e?.snapshot.stats.requests).toBe(5);
    await w.close();
    const [c] = await readStatsSnapshots(dir);
    expect(c?.state).toBe('closed');
  });

  it('pruneStatsSnapshots removes long-stale snapshots and old temp files only', async () => {
    const now = Date.now();
    await put('1.json', JSON.stringify(snapshot(1, { updatedAt: now - 2 * 86_400_000, hostname: 'elsewhere' })));
    await put('2.json', JSON.stringify(snapshot(2, { updatedAt: now + 2 * 86_400_000 - 1000, hostname: 'elsewhere' })));
    await put('3.json.x.tmp', '{');
    expect(await pruneStatsSnapshots(dir, { now: now + 2 * 86_400_000, maxAgeMs: 86_400_000 + 10_000 })).toBe(2);
    expect((await readdir(join(dir, 'stats'))).sort()).toEqual(['2.json']);
  });
});

describe('aggregateStats', () => {
  it('sums live snapshots, recomputes the hit rate, takes L2 size once per dir', async () => {
    const a = snapshot(1, { dir: '/c', updatedAt: 50, stats: stats({ requests: 100, l1Hits: 80, l2Hits: 10, calls: 10, l2Bytes: 5000, p50: 1, p99: 10, count: 100 }) });
    const b = snapshot(2, { dir: '/c', updatedAt: 70, stats: stats({ requests: 300, l1Hits: 0, l2Hits: 150, calls: 150, l2Bytes: 6000, p50: 3, p99: 40, count: 300 }) });
    const c = snapshot(3, { dir: '/other', stats: stats({ requests: 1, l2Bytes: 100, count: 0 }) });
    const closed = snapshot(4, { closed: true, stats: stats({ requests: 1000 }) });
    const agg = aggregateStats([a, b, c, closed]);
    expect(agg.processes).toBe(3);
    expect(agg.requests).toBe(401);
    expect(agg.l1.hits).toBe(80);
    expect(agg.l2.hits).toBe(160);
    expect(agg.provider.calls).toBe(160);
    expect(agg.providerCallsSaved).toBe(240);
    expect(agg.hitRate).toBeCloseTo(240 / 401, 12);
    expect(agg.l2.bytes).toBe(6000 + 100);
    expect(agg.latency).toEqual({ count: 400, p50Ms: (1 * 100 + 3 * 300) / 400, p99Ms: 40, maxMs: 80 });
    expect(agg.updatedAt).toBe(10_000);
    expect(agg.startedAt).toBe(1000);
  });
  it('entries: only live ones by default; include widens it', () => {
    const live = { file: 'a', snapshot: snapshot(1, { stats: stats({ requests: 2 }) }), state: 'live' as const, stale: false };
    const stale = { file: 'b', snapshot: snapshot(2, { stats: stats({ requests: 5 }) }), state: 'stale' as const, stale: true, staleReason: 'dead' as const };
    expect(aggregateStats([live, stale]).requests).toBe(2);
    expect(aggregateStats([live, stale], { include: ['live', 'stale'] }).requests).toBe(7);
  });
  it('nothing live gives zeros', () => {
    const agg = aggregateStats([]);
    expect(agg.processes).toBe(0);
    expect(agg.hitRate).toBe(0);
    expect(agg.requests).toBe(0);
  });
});
