/**
 * The L2 → L1 load measurement, run in a process of its own (as a backtest starting on a warm
 * cache dir would be): the bench's own heap holds millions of synthetic bars, and measuring in it
 * would time V8's garbage collector walking them, not the cache. Prints one JSON line.
 *
 *   node --expose-gc load-process.js '{"dir":…,"symbols":[…],"start":…,"end":…,"repeats":3}'
 */
import { openCache, type BarProvider } from '@barcache/cache-core';

interface LoadJob {
  dir: string;
  symbols: string[];
  start: string;
  end: string;
  repeats: number;
  memoryMaxBytes: number;
  /** The provider name the fill used: it is part of each series' identity. */
  providerName: string;
}

export interface LoadRun {
  ms: number;
  bars: number;
  providerCalls: number;
  storeBytes: number;
  l1Bytes: number;
  heapDeltaBytes: number;
  rssDeltaBytes: number;
  /** After every series' row objects were built (one peekBars over each): stats().l1.bytes and the heap growth. */
  l1BytesWithRows: number;
  heapDeltaWithRowsBytes: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
const gc1 = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
// Twice: the first gc frees ArrayBuffers through a sweeper that may still run when it returns (the
// previous repeat's 70 MB then still counted in `arrayBuffers`); the second waits for it.
const gc = (): void => {
  gc1();
  gc1();
};
// Offline, and a provider that refuses: a load that needed the provider would fail loudly.
const refuse: BarProvider = {
  name: job.providerName,
  fetchBars: () => Promise.reject(new Error('the load phase must not call the provider')),
};
const runs: LoadRun[] = [];
for (let r = 0; r < job.repeats; r++) {
  gc();
  const mem0 = process.memoryUsage();
  const cache = await openCache({ dir: job.dir, provider: refuse, offline: true, statsSnapshots: false, memory: { maxBytes: job.memoryMaxBytes } });
  try {
    const t0 = performance.now();
    const session = await cache.prefetch({ symbols: job.symbols, interval: '1d', start: job.start, end: job.end });
    const report = session.report;
    const ms = performance.now() - t0;
    if (report.failed.length > 0) throw new Error(`load failed for ${report.failed.length} symbols: ${report.symbols.find((s) => s.error)?.error?.message}`);
    gc();
    const mem1 = process.memoryUsage();
    const stats = cache.stats();
    // Build every series' row objects (what the first read does), then measure again.
    let rows = 0;
    for (const symbol of job.symbols) rows += cache.peekBars({ symbol, interval: '1d', start: job.start, end: job.end })?.length ?? 0;
    if (rows === 0) throw new Error('no rows were built');
    gc();
    const mem2 = process.memoryUsage();
    runs.push({
      l1BytesWithRows: cache.stats().l1.bytes,
      heapDeltaWithRowsBytes: mem2.heapUsed + mem2.arrayBuffers - (mem0.heapUsed + mem0.arrayBuffers),
      ms,
      bars: report.symbols.reduce((n, s) => n + s.bars, 0),
      providerCalls: stats.provider.calls,
      storeBytes: stats.l2.bytes,
      l1Bytes: stats.l1.bytes,
      heapDeltaBytes: mem1.heapUsed + mem1.arrayBuffers - (mem0.heapUsed + mem0.arrayBuffers),
      rssDeltaBytes: mem1.rss - mem0.rss,
    });
    session.release();
  } finally {
    await cache.close();
  }
}
process.stdout.write(`${JSON.stringify(runs)}\n`);
