/**
 * cache-core micro figures: the L2 → L1 load rate, bytes per bar on disk, and memory for 500
 * symbols × 10 years (the lookback is lookback-micro.ts, the toy backtest backtest-micro.ts).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openCache, type BarProvider } from '@barcache/cache-core';
import { CountingProvider } from './sources/counting-provider.js';
import type { LoadRun } from './load-process.js';
import { runJsonProcess } from './json-process.js';

/** Runs load-process.js in a new Node process with --expose-gc and returns its runs. */
function runLoadProcess(job: Record<string, unknown>): Promise<LoadRun[]> {
  return runJsonProcess<LoadRun[]>('./load-process.js', job, ['--expose-gc']);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
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
  l1BytesWithRows: number;
  heapDeltaWithRowsBytes: number;
}

const START = '2015-01-02';
const END = '2024-12-31';

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
  const session = await fill.prefetch({
    symbols,
    interval: '1d',
    start: START,
    end: END,
    onProgress: (e) => {
      if (e.done % 100 === 0) progress(`  filled ${e.done}/${e.total} series`);
    },
  });
  const fillMs = performance.now() - t0;
  const filled = session.report;
  if (filled.failed.length) throw new Error(`fill failed for ${filled.failed.length} symbols: ${filled.symbols.find((s) => s.error)?.error?.message}`);
  const fillProviderCalls = provider.calls;
  session.release();
  await fill.close();

  // Several loads, each in a fresh instance on the same dir (L1 empty, everything on L2), in a new
  // process like a backtest starting on a warm dir; median.
  const runs = await runLoadProcess({ dir, symbols, start: START, end: END, repeats, memoryMaxBytes: memory.maxBytes, providerName: provider.name });
  const loads = runs.map((r) => r.ms);
  const loadMs = median(loads);
  const { bars, storeBytes, l1Bytes, heapDeltaBytes: heap, rssDeltaBytes: rss, l1BytesWithRows, heapDeltaWithRowsBytes } = runs[runs.length - 1]!;
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
    l1BytesWithRows,
    heapDeltaWithRowsBytes,
  };
}
