/**
 * The shared team tier, side by side in one run: the cold start of a worker whose disk is empty,
 * loading 50 symbols × 10 years (a) from Redis, (b) from a warm local disk (no Redis), (c) from the
 * provider (simulated latency); plus the bytes each bar costs in Redis and the round trips per
 * series. Each load runs in a fresh process; medians of `repeats`. Needs Debian's redis-server.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openCache } from '@barcache/cache-core';
import { hasRedisServer, makeTempDir, startRedisServer } from '@barcache/test-support';
import { SimulatedProvider } from './sources/simulated-provider.js';

export interface SharedTierBenchResult {
  symbols: number;
  bars: number;
  repeats: number;
  fromRedisMs: number;
  fromLocalDiskMs: number;
  fromProviderMs: number;
  providerCallsFromRedis: number;
  providerCallsFromProvider: number;
  /** Encoded payload (blocks + meta) per bar, and Redis' own memory growth per bar. */
  redisPayloadBytesPerBar: number;
  redisMemoryBytesPerBar: number;
  /** Redis's own accounting of the cache's keys (`MEMORY USAGE` summed over every key), per bar. */
  redisKeysBytesPerBar: number;
  /** The same bars in the local disk tier (LevelDB store bytes), for comparison. */
  localDiskBytesPerBar: number;
  /** Redis commands per series during one cold load (GET meta, MGET blocks, …). */
  roundTripsPerSeries: number;
}

interface LoadResult {
  ms: number;
  bars: number;
  providerCalls: number;
}

function loadInProcess(job: object): Promise<LoadResult> {
  const script = fileURLToPath(new URL('./shared-load-process.js', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, JSON.stringify(job)], { maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as LoadResult);
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function sharedTierBench(options: { symbols?: number; repeats?: number; latencyMs?: number; log?: (line: string) => void } = {}): Promise<SharedTierBenchResult | undefined> {
  const log = options.log ?? (() => undefined);
  if (!hasRedisServer()) {
    log('shared tier: skipped (redis-server is not installed: apt-get install redis-server)');
    return undefined;
  }
  const n = options.symbols ?? 50;
  const repeats = options.repeats ?? 3;
  const latencyMs = options.latencyMs ?? 20;
  const symbols = Array.from({ length: n }, (_, i) => `SH${i}`);
  const start = '2015-01-02';
  const end = '2024-12-31';
  const redis = await startRedisServer();
  const warmDir = makeTempDir('barcache-bench-shared-');
  const dirs = [warmDir];
  try {
    const memBefore = usedMemory(redis.cli('INFO', 'memory'));
    // Fill: one worker fetches everything and publishes it (its own disk is warm afterwards).
    log(`shared tier: filling ${n} symbols × 10 y through Redis…`);
    const filler = await openCache({ dir: warmDir.path, provider: new SimulatedProvider(latencyMs, 50), shared: { url: redis.url }, statsSnapshots: false, now: () => Date.parse('2025-03-03T21:00:00Z') });
    const session = await filler.prefetch({ symbols, interval: '1d', start, end });
    const bars = session.report.symbols.reduce((x, s) => x + s.bars, 0);
    const written = filler.stats().shared?.bytesWritten ?? 0;
    const diskBytes = filler.stats().l2.bytes;
    session.release();
    await filler.close();
    const metaBytes = symbols.reduce((x, s) => x + Number(redis.cli('STRLEN', `barcache:{simulated|${s}|1d}:meta`)), 0);
    const memAfter = usedMemory(redis.cli('INFO', 'memory'));
    const keysBytes = Number(redis.cli('EVAL', KEYS_MEMORY_SCRIPT, '0', 'barcache:*'));

    const run = async (redisUrl: string | null, dir: string | undefined) => {
      const times: number[] = [];
      let calls = 0;
      for (let r = 0; r < repeats; r++) {
        const fresh = dir === undefined ? makeTempDir('barcache-bench-cold-') : undefined;
        if (fresh) dirs.push(fresh);
        const res = await loadInProcess({ dir: dir ?? fresh!.path, redisUrl, symbols, start, end, latencyMs });
        times.push(res.ms);
        calls = res.providerCalls;
        await fresh?.cleanup();
      }
      return { ms: median(times), calls };
    };
    log('shared tier: cold worker ← Redis…');
    const statsBefore = commandCount(redis.cli('INFO', 'commandstats'));
    const fromRedis = await run(redis.url, undefined);
    const commands = commandCount(redis.cli('INFO', 'commandstats')) - statsBefore;
    log('shared tier: warm local disk (no Redis)…');
    const fromDisk = await run(null, warmDir.path);
    log('shared tier: cold worker ← provider (no Redis)…');
    const fromProvider = await run(null, undefined);
    return {
      symbols: n,
      bars,
      repeats,
      fromRedisMs: fromRedis.ms,
      fromLocalDiskMs: fromDisk.ms,
      fromProviderMs: fromProvider.ms,
      providerCallsFromRedis: fromRedis.calls,
      providerCallsFromProvider: fromProvider.calls,
      redisPayloadBytesPerBar: (written + metaBytes) / bars,
      localDiskBytesPerBar: diskBytes / bars,
      redisMemoryBytesPerBar: (memAfter - memBefore) / bars,
      redisKeysBytesPerBar: keysBytes / bars,
      roundTripsPerSeries: commands / repeats / n,
    };
  } finally {
    await redis.stop();
    for (const d of dirs) await d.cleanup();
  }
}

/** Sums `MEMORY USAGE` (exact: SAMPLES 0) over the keys matching ARGV[1] (bench only: KEYS). */
const KEYS_MEMORY_SCRIPT =
  "local t = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do t = t + redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0') end return t";

function usedMemory(info: string): number {
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

/** Total calls over every command in `INFO commandstats`. */
function commandCount(info: string): number {
  let total = 0;
  for (const m of info.matchAll(/cmdstat_[^:]+:calls=(\d+)/g)) total += Number(m[1]);
  return total;
}
