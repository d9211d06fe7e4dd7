/**
 * One process of the shared-cache-dir benchmark (shared-dir-bench.ts). Prints one JSON line.
 *   hold  {dir, providerName}                      opens the dir (so it leads), prints {"ready":pid}, holds it until stdin ends
 *   load  {dir, providerName, symbols, start, end, memoryMaxBytes}   times prefetch of every symbol from the warm dir (no provider): wall and this process's CPU
 *   seed  {dir, baseUrl, times}                    runs the seed workload `times` times through one cache (prefetch + getBars)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCache, YahooProvider, type BarProvider } from '@barcache/cache-core';
import { seedWorkload } from './workloads.js';

interface Job {
  mode: 'hold' | 'load' | 'seed';
  dir: string;
  providerName?: string;
  symbols?: string[];
  start?: string;
  end?: string;
  memoryMaxBytes?: number;
  baseUrl?: string;
  times?: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
const refuse: BarProvider = { name: job.providerName ?? 'simulated', fetchBars: () => Promise.reject(new Error('this phase must not call the provider')) };
const leaderPid = (): number | undefined => {
  try {
    return (JSON.parse(readFileSync(join(job.dir, 'leader.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
};

if (job.mode === 'hold') {
  const cache = await openCache({ dir: job.dir, provider: refuse, offline: true, statsSnapshots: false, processLabel: 'bench leader' });
  out({ ready: process.pid, leads: leaderPid() === process.pid });
  process.stdin.resume();
  await new Promise((r) => process.stdin.once('end', r));
  await cache.close();
} else if (job.mode === 'load') {
  const cache = await openCache({ dir: job.dir, provider: refuse, offline: true, statsSnapshots: false, memory: { maxBytes: job.memoryMaxBytes ?? 2 ** 30 } });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const { report } = await cache.prefetch({ symbols: job.symbols!, interval: '1d', start: job.start!, end: job.end! });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (report.failed.length > 0) throw new Error(`load failed for ${report.failed.length} symbols`);
  const bars = report.symbols.reduce((n, s) => n + s.bars, 0);
  out({ ms, cpuMs, bars, leads: leaderPid() === process.pid, providerCalls: cache.stats().provider.calls });
  await cache.close();
} else {
  const w = seedWorkload();
  const t0 = performance.now();
  const cache = await openCache({ dir: job.dir, provider: new YahooProvider({ baseUrl: job.baseUrl! }), statsSnapshots: false });
  let checksum = 0;
  for (let t = 0; t < (job.times ?? 1); t++) {
    await cache.prefetch({ symbols: w.symbols, interval: '1d', start: w.start, end: w.end, lookback: { days: Math.max(...w.lookbackDays) } });
    for (const step of w.steps) {
      const answers = await Promise.all(step.map((r) => cache.getBars({ symbol: r.symbol, interval: '1d', start: r.start, end: r.end })));
      for (const bars of answers) checksum += bars.length;
    }
  }
  const providerCalls = cache.stats().provider.calls;
  await cache.close();
  out({ ms: performance.now() - t0, providerCalls, checksum });
}
