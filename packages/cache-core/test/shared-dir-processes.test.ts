// Many real processes on one cache dir, through openCache, the real YahooProvider and the loopback
// Yahoo server (which counts requests): the seed workload from 8 processes at once, and leaders
// killed with SIGKILL while followers warm and read.
import { afterEach, expect, it } from 'vitest';
import { syntheticDailyBars } from '@barcache/test-support';
import { openCache } from '@barcache/cache-core';
import { readLeaderRecord } from '../src/tiers/disk/shared-dir/socket-location.js';
import { cacheFixture, type CacheFixture } from './helpers/cache-fixture.js';
import { startProcess } from './helpers/child-process.js';

const SEED_SYMBOLS = ['AAPL', 'MSFT', 'NVDA'];
const SLOW = 240_000;

let fx: CacheFixture | undefined;
const running: ReturnType<typeof startProcess>[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await fx?.dispose();
  fx = undefined;
});

function worker(args: string[]) {
  const p = startProcess('shared-dir-worker.ts', args);
  running.push(p);
  return p;
}

interface Done {
  requests: number;
  mismatches: number;
  providerCalls: number;
  pid: number;
  leaders?: number[];
}

async function finished(p: ReturnType<typeof startProcess>): Promise<Done> {
  const line = await p.waitFor(/^done /, SLOW);
  await new Promise<void>((r) => (p.child.exitCode !== null ? r() : p.child.once('exit', () => r())));
  expect(p.child.exitCode, p.lines.join('\n')).toBe(0);
  return JSON.parse(line.slice(5)) as Done;
}

it(
  '8 processes run the seed workload on one cold dir at once: all succeed, every answer is the provider\'s, one provider call per symbol',
  async () => {
    fx = await cacheFixture({ latencyMs: 20 });
    const procs = Array.from({ length: 8 }, () => worker(['seed', fx!.tmp.path, fx!.server.url, SEED_SYMBOLS.join(',')]));
    const results = await Promise.all(procs.map(finished));
    for (const [i, r] of results.entries()) {
      expect(r.mismatches, procs[i]!.lines.join('\n')).toBe(0);
      expect(r.requests).toBe(62 * 2 * SEED_SYMBOLS.length + SEED_SYMBOLS.length);
    }
    // One provider call per symbol across all 8 processes (the fill lease, granted by the leader).
    for (const s of SEED_SYMBOLS) expect(fx.calls(s), `provider calls for ${s}`).toBe(1);
    expect(results.reduce((n, r) => n + r.providerCalls, 0)).toBe(SEED_SYMBOLS.length);
  },
  SLOW,
);

it(
  'the leader is killed with SIGKILL at several points while followers warm and read: every follower finishes with correct bars, a new leader is elected, no ledger claim lacks its bars',
  async () => {
    fx = await cacheFixture({ latencyMs: 15 });
    const dir = fx.tmp.path;
    // Kill points: as soon as the followers are connected, after one round of theirs, after three.
    // The first follower pauses at the kill point (so it certainly works on after it); the others
    // run on, with requests in flight when the kill lands or already done.
    for (const killAfterRound of [-1, 0, 2]) {
      const leader = worker(['lead', dir, fx.server.url]);
      const leaderPid = Number((await leader.waitFor(/^ready \d+$/, SLOW)).split(' ')[1]);
      expect((await readLeaderRecord(dir))!.pid).toBe(leaderPid);
      const followers = [
        worker(['warm-read', dir, fx.server.url, 'AAPL,MSFT,F1', '5', String(killAfterRound)]),
        worker(['warm-read', dir, fx.server.url, 'MSFT,SPY,F2', '5']),
        worker(['warm-read', dir, fx.server.url, 'AAPL,SPY,F3', '5']),
      ];
      await Promise.all(followers.map((f) => f.waitFor(/^opened$/, SLOW)));
      await followers[0]!.waitFor(/^paused$/, SLOW);
      leader.child.kill('SIGKILL');
      await new Promise<void>((r) => (leader.child.exitCode !== null || leader.child.signalCode !== null ? r() : leader.child.once('exit', () => r())));
      followers[0]!.child.stdin!.write('go\n');
      const results = await Promise.all(followers.map(finished));
      results.forEach((r, i) => {
        const said = `kill point ${killAfterRound}, follower ${i}:\n${followers[i]!.lines.join('\n')}`;
        expect(r.mismatches, said).toBe(0);
        expect(r.requests, said).toBe(15);
      });
      // A follower took over: after the kill, leader.json named one of them.
      const followerPids = results.map((r) => r.pid);
      const seen = results.flatMap((r) => r.leaders ?? []);
      expect(seen.some((pid) => followerPids.includes(pid)), `leaders seen ${seen} (killed ${leaderPid}, followers ${followerPids})`).toBe(true);
      const record = await readLeaderRecord(dir);
      if (record !== undefined) expect(record.pid).not.toBe(leaderPid);
    }
    // Whatever any ledger claims is on disk, bar for bar (offline: nothing may be fetched).
    const cache = await openCache({ dir, offline: true, statsSnapshots: false, exclusive: true });
    try {
      const series = await cache.listSeries();
      expect(series.length).toBeGreaterThanOrEqual(6);
      for (const s of series) {
        for (const range of s.covered) {
          const bars = await cache.getBars({ symbol: s.symbol, interval: '1d', start: range.start, end: range.end - 1 });
          const truth = syntheticDailyBars({ symbol: s.symbol, start: range.start, end: range.end });
          expect(bars, `${s.symbol} ${new Date(range.start).toISOString()}`).toEqual(truth.filter((b) => b.time >= range.start && b.time < range.end));
        }
      }
    } finally {
      await cache.close();
    }
  },
  SLOW * 2,
);
