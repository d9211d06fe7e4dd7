/**
 * cache-core micro figures: a lookback on a resident series vs slicing a preloaded array, the L2 → L1
 * load rate, bytes per bar on disk, and memory for 500 symbols × 10 years.
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openCache, type Bar, type BarProvider } from '@barcache/cache-core';
import { lowerBound, upperBound } from '../window.js';
import { CountingProvider } from './sources/counting-provider.js';
import type { LoadRun } from './load-process.js';
import { DAY_MS as D } from '@barcache/cache-core';

/** Runs load-process.js in a new Node process with --expose-gc and returns its runs. */
function runLoadProcess(job: Record<string, unknown>): Promise<LoadRun[]> {
  const script = fileURLToPath(new URL('./load-process.js', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', script, JSON.stringify(job)], { maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`load process failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as LoadRun[]);
    });
  });
}


setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median ns/op of `op` over `repeats` runs of `n` calls each (after one warm-up run). */
function nsPerOp(n: number, repeats: number, op: (i: number) => number): { median: number; runs: number[] } {
  let sink = 0;
  const runs: number[] = [];
  for (let r = -1; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink += op(i);
    const ns = ((performance.now() - t0) * 1e6) / n;
    if (r >= 0) runs.push(ns);
  }
  if (sink === -1) console.error('');
  return { median: median(runs), runs };
}

async function nsPerOpAsync(n: number, repeats: number, op: (i: number) => Promise<number>): Promise<{ median: number; runs: number[] }> {
  let sink = 0;
  const runs: number[] = [];
  for (let r = -1; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink += await op(i);
    const ns = ((performance.now() - t0) * 1e6) / n;
    if (r >= 0) runs.push(ns);
  }
  if (sink === -1) console.error('');
  return { median: median(runs), runs };
}

export interface LookbackFigures {
  seriesBars: number;
  lookbackDays: number;
  ops: number;
  repeats: number;
  arrayNs: number;
  peekNs: number;
  getBarsNs: number;
  peekRatio: number;
  getBarsRatio: number;
}

export interface LoadFigures {
  symbols: number;
  years: number;
  bars: number;
  fillMs: number;
  fillProviderCalls: number;
  /** Median of the load runs. */
  loadMs: number;
  loadRunsMs: number[];
  barsPerSecond: number;
  loadProviderCalls: number;
  storeBytes: number;
  dirBytes: number;
  storeBytesPerBar: number;
  dirBytesPerBar: number;
  l1Bytes: number;
  /** Growth of V8 heap + ArrayBuffers (where typed-array columns live) across the load, after gc. */
  heapDeltaBytes: number;
  rssDeltaBytes: number;
}

const START = '2015-01-02';
const END = '2024-12-31';

/** 30-day lookbacks at seeded random days of a resident 10-year daily series. */
export async function lookbackMicro(dir: string, provider: BarProvider, repeats = 7, ops = 200_000): Promise<LookbackFigures> {
  const cache = await openCache({ dir, provider, statsSnapshots: false });
  try {
    const session = await cache.prefetch({ symbols: ['TENY'], interval: '1d', start: START, end: END });
    const all: Bar[] = await cache.getBars({ symbol: 'TENY', interval: '1d', start: START, end: END });
    const first = all[0]!.time + 30 * D;
    const span = all.at(-1)!.time - first;
    let seed = 42;
    const ends = Float64Array.from({ length: 4096 }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return Math.floor((first + (seed / 2 ** 31) * span) / D) * D;
    });
    const look = 30 * D;
    const arrayNs = nsPerOp(ops, repeats, (i) => {
      const end = ends[i & 4095]!;
      return all.slice(lowerBound(all, end - look), upperBound(all, end)).length;
    });
    const peekNs = nsPerOp(ops, repeats, (i) => {
      const end = ends[i & 4095]!;
      return cache.peekBars({ symbol: 'TENY', interval: '1d', start: end - look, end })!.length;
    });
    const getBarsNs = await nsPerOpAsync(ops / 4, repeats, async (i) => {
      const end = ends[i & 4095]!;
      return (await cache.getBars({ symbol: 'TENY', interval: '1d', start: end - look, end })).length;
    });
    session.release();
    return {
      seriesBars: all.length,
      lookbackDays: 30,
      ops,
      repeats,
      arrayNs: arrayNs.median,
      peekNs: peekNs.median,
      getBarsNs: getBarsNs.median,
      peekRatio: peekNs.median / arrayNs.median,
      getBarsRatio: getBarsNs.median / arrayNs.median,
    };
  } finally {
    await cache.close();
  }
}

function dirSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}

/**
 * Fills a cache with `symbols` × 10 years from the provider, closes it, then measures a second
 * instance loading everything from L2 into L1 (prefetch), with zero provider calls.
 */
export async function loadMicro(dir: string, inner: BarProvider, symbolCount = 500, progress: (s: string) => void = () => {}, repeats = 3): Promise<LoadFigures> {
  const symbols = Array.from({ length: symbolCount }, (_, i) => `TEN${String(i).padStart(3, '0')}`);
  const provider = new CountingProvider(inner);
  const memory = { maxBytes: 1024 * 2 ** 20 };

  const fill = await openCache({ dir, provider, statsSnapshots: false, memory });
  const t0 = performance.now();
  const { report: filled, release } = await fill.prefetch({
    symbols,
    interval: '1d',
    start: START,
    end: END,
    onProgress: (e) => {
      if (e.done % 100 === 0) progress(`  filled ${e.done}/${e.total} series`);
    },
  });
  const fillMs = performance.now() - t0;
  if (filled.failed.length) throw new Error(`fill failed for ${filled.failed.length} symbols: ${filled.symbols.find((s) => s.error)?.error?.message}`);
  const fillProviderCalls = provider.calls;
  release();
  await fill.close();

  // Several loads, each in a fresh instance on the same dir (L1 empty, everything on L2), in a new
  // process like a backtest starting on a warm dir; median.
  const runs = await runLoadProcess({ dir, symbols, start: START, end: END, repeats, memoryMaxBytes: memory.maxBytes, providerName: provider.name });
  const loads = runs.map((r) => r.ms);
  const loadMs = median(loads);
  const { bars, storeBytes, l1Bytes, heapDeltaBytes: heap, rssDeltaBytes: rss } = runs[runs.length - 1]!;
  provider.reset();
  provider.calls += runs.reduce((n, r) => n + r.providerCalls, 0);
  const dirBytes = dirSize(dir);
  return {
    symbols: symbolCount,
    years: 10,
    bars,
    fillMs,
    fillProviderCalls,
    loadMs,
    loadRunsMs: loads,
    barsPerSecond: bars / (loadMs / 1000),
    loadProviderCalls: provider.calls,
    storeBytes,
    dirBytes,
    storeBytesPerBar: storeBytes / bars,
    dirBytesPerBar: dirBytes / bars,
    l1Bytes,
    heapDeltaBytes: heap,
    rssDeltaBytes: rss,
  };
}
