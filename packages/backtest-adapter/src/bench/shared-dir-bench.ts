/**
 * Many processes on one cache dir (cache-core's shared-dir leader/followers), side by side:
 * - a follower's prefetch of N symbols × 10 years from a warm dir (blocks over the leader's
 *   socket) against the leader's own load of the same (LevelDB in its process);
 * - 8 processes each running the seed workload on one cold dir at once, against 1 process
 *   running it 8 times, with the provider calls of each.
 * Every figure is measured in fresh processes (shared-dir-worker.ts), as real users would run them.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { openCache, type BarProvider } from '@barcache/cache-core';

export interface SharedDirFigures {
  symbols: number;
  bars: number;
  /** Medians of `repeats` loads, ms. */
  leaderLoadMs: number;
  followerLoadMs: number;
  /** Medians of the loading process's own CPU time (user + system), ms: steadier than wall on a busy machine. */
  leaderLoadCpuMs: number;
  followerLoadCpuMs: number;
  /** Follower speed as a fraction of the leader's (target ≥ 0.5). */
  followerSpeedRatio: number;
  loadProviderCalls: number;
  seed: {
    processes: number;
    parallelWallMs: number;
    /** Median of the 8 processes' own open → close time (the wall time adds starting 8 Node processes). */
    parallelProcessMs: number;
    parallelProviderCalls: number;
    sequentialWallMs: number;
    sequentialProviderCalls: number;
    answersIdentical: boolean;
  };
}

const WORKER = fileURLToPath(new URL('./shared-dir-worker.js', import.meta.url));
const START = '2015-01-02';
const END = '2024-12-31';

interface Worker {
  lines: Promise<string[]>;
  first: Promise<unknown>;
  stop(): void;
}

function worker(job: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = '';
  let err = '';
  let resolveFirst: (v: unknown) => void;
  const first = new Promise<unknown>((r) => (resolveFirst = r));
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    buf += s;
    const i = buf.indexOf('\n');
    if (i >= 0) resolveFirst(JSON.parse(buf.slice(0, i)));
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const lines = new Promise<string[]>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(buf.trim().split('\n')) : reject(new Error(`shared-dir worker failed (${code}): ${err}`)))),
  );
  return { lines, first, stop: () => child.stdin.end() };
}

async function result<T>(job: Record<string, unknown>): Promise<T> {
  const lines = await worker(job).lines;
  return JSON.parse(lines.at(-1)!) as T;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface SharedDirBenchOptions {
  /** Where to make cache dirs. */
  tmp: string;
  /** The loopback Yahoo server for the seed workload. */
  serverUrl: string;
  /** A provider for filling the warm dir (not measured). */
  fillProvider: BarProvider;
  /** A dir already holding `symbolCount` × 10 years (TEN000…) filled by `fillProvider`, or undefined to fill one. */
  warmDir?: string;
  symbolCount?: number;
  repeats?: number;
  log?: (s: string) => void;
}

export async function sharedDirBench(o: SharedDirBenchOptions): Promise<SharedDirFigures> {
  const log = o.log ?? (() => undefined);
  const count = o.symbolCount ?? 500;
  const repeats = o.repeats ?? 5;
  const symbols = Array.from({ length: count }, (_, i) => `TEN${String(i).padStart(3, '0')}`);
  mkdirSync(o.tmp, { recursive: true });
  let dir = o.warmDir;
  if (dir === undefined) {
    dir = join(o.tmp, 'warm');
    log(`  filling ${count} symbols × 10 years (not measured)`);
    const fill = await openCache({ dir, provider: o.fillProvider, statsSnapshots: false, memory: { maxBytes: 2 ** 30 } });
    await fill.prefetch({ symbols, interval: '1d', start: START, end: END });
    await fill.close();
  }
  const loadJob = { mode: 'load', dir, providerName: o.fillProvider.name, symbols, start: START, end: END, memoryMaxBytes: 2 ** 30 };

  const leaderRuns: number[] = [];
  const followerRuns: number[] = [];
  const leaderCpu: number[] = [];
  const followerCpu: number[] = [];
  let bars = 0;
  let loadProviderCalls = 0;
  for (let r = 0; r < repeats; r++) {
    // Alternate, so drift in the machine's load hits both sides alike.
    const own = await result<{ ms: number; cpuMs: number; bars: number; leads: boolean; providerCalls: number }>(loadJob);
    if (!own.leads) throw new Error('the leader-load process did not lead');
    leaderRuns.push(own.ms);
    leaderCpu.push(own.cpuMs);
    const holder = worker({ mode: 'hold', dir, providerName: o.fillProvider.name });
    await holder.first;
    try {
      const remote = await result<{ ms: number; cpuMs: number; bars: number; leads: boolean; providerCalls: number }>(loadJob);
      if (remote.leads) throw new Error('the follower-load process led');
      if (remote.bars !== own.bars) throw new Error(`follower loaded ${remote.bars} bars, leader ${own.bars}`);
      followerRuns.push(remote.ms);
      followerCpu.push(remote.cpuMs);
      bars = own.bars;
      loadProviderCalls += own.providerCalls + remote.providerCalls;
    } finally {
      holder.stop();
      await holder.lines;
    }
    log(`  load run ${r + 1}: leader ${own.ms.toFixed(0)} ms, follower ${followerRuns.at(-1)!.toFixed(0)} ms`);
  }

  const N = 8;
  log(`  seed workload: ${N} processes on one cold dir at once, then 1 process × ${N}`);
  const t0 = performance.now();
  const parallel = await Promise.all(
    Array.from({ length: N }, () => result<{ ms: number; providerCalls: number; checksum: number }>({ mode: 'seed', dir: join(o.tmp, 'seed-parallel'), baseUrl: o.serverUrl, times: 1 })),
  );
  const parallelWallMs = performance.now() - t0;
  const t1 = performance.now();
  const sequential = await result<{ ms: number; providerCalls: number; checksum: number }>({ mode: 'seed', dir: join(o.tmp, 'seed-sequential'), baseUrl: o.serverUrl, times: N });
  const sequentialWallMs = performance.now() - t1;

  const leaderLoadMs = median(leaderRuns);
  const followerLoadMs = median(followerRuns);
  return {
    symbols: count,
    bars,
    leaderLoadMs,
    followerLoadMs,
    leaderLoadCpuMs: median(leaderCpu),
    followerLoadCpuMs: median(followerCpu),
    followerSpeedRatio: leaderLoadMs / followerLoadMs,
    loadProviderCalls,
    seed: {
      processes: N,
      parallelWallMs,
      parallelProcessMs: median(parallel.map((p) => p.ms)),
      parallelProviderCalls: parallel.reduce((n, p) => n + p.providerCalls, 0),
      sequentialWallMs,
      sequentialProviderCalls: sequential.providerCalls,
      answersIdentical: parallel.every((p) => p.checksum * N === sequential.checksum),
    },
  };
}

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);

export function formatSharedDir(f: SharedDirFigures): string {
  const table = new Table({
    head: ['shared cache dir (leader + followers)', 'measured', 'target', ''],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  table.push(
    [`prefetch ${f.symbols} symbols × 10 y from a warm dir (${f.bars.toLocaleString('en-US')} bars): leader's own load`, ms(f.leaderLoadMs), '', ''],
    ['  … a follower, blocks over the leader\'s socket', `${ms(f.followerLoadMs)} = ${(f.followerSpeedRatio * 100).toFixed(0)}% of the leader's speed`, '≥ 50%', f.followerSpeedRatio >= 0.5 ? 'ok' : 'MISSED'],
    ['  CPU of the loading process (median): leader\'s own load / the follower', `${ms(f.leaderLoadCpuMs)} / ${ms(f.followerLoadCpuMs)}`, '', ''],
    ['  provider calls during the loads', String(f.loadProviderCalls), '0', f.loadProviderCalls === 0 ? 'ok' : 'MISSED'],
    [`seed workload, ${f.seed.processes} processes at once on one cold dir: wall time`, ms(f.seed.parallelWallMs), '', ''],
    ['  each process, open → close (median)', ms(f.seed.parallelProcessMs), '', ''],
    ['  provider calls (all processes)', String(f.seed.parallelProviderCalls), '3 (1 per symbol)', f.seed.parallelProviderCalls === 3 ? 'ok' : 'MISSED'],
    [`seed workload, 1 process × ${f.seed.processes} (one cache, cold then warm): wall time`, ms(f.seed.sequentialWallMs), '', ''],
    ['  provider calls', String(f.seed.sequentialProviderCalls), '', ''],
    ['  answers identical', f.seed.answersIdentical ? 'yes' : 'NO', 'yes', f.seed.answersIdentical ? 'ok' : 'MISSED'],
  );
  return table.toString();
}
