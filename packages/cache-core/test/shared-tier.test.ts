/**
 * The shared team tier on real Redis servers (Debian's redis-server on loopback ports, started by
 * the tests) with the real YahooProvider against the loopback Yahoo server: a fleet of workers
 * with empty disks makes one provider call per series, Redis faults never fail a read, damaged
 * values heal, and a dead lease holder is taken over.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  hasRedisServer,
  makeTempDir,
  startRedisCluster,
  startRedisServer,
  startYahooChartServer,
  syntheticDailyBars,
  type RedisServer,
  type TempDir,
  type YahooChartServer,
} from '@barcache/test-support';
import { openCache, YahooProvider, type BarCache, type OpenCacheOptions } from '../src/index.js';
import { startProcess } from './helpers/child-process.js';

const available = hasRedisServer();
if (!available) console.log('shared-tier: SKIPPED: redis-server is not installed (apt-get install redis-server)');
const now = () => Date.parse('2025-03-03T21:00:00Z');
const START = '2024-01-02';
const END = '2024-03-28';

interface Fleet {
  yahoo: YahooChartServer;
  dirs: TempDir[];
  caches: BarCache[];
  open(url: string, extra?: Partial<OpenCacheOptions>): Promise<BarCache>;
  dispose(): Promise<void>;
}

async function fleet(): Promise<Fleet> {
  const yahoo = await startYahooChartServer();
  const dirs: TempDir[] = [];
  const caches: BarCache[] = [];
  return {
    yahoo,
    dirs,
    caches,
    async open(url, extra = {}) {
      const dir = makeTempDir('barcache-shared-');
      dirs.push(dir);
      const cache = await openCache({
        dir: dir.path,
        provider: new YahooProvider({ baseUrl: yahoo.url, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 5000 }),
        shared: { url, commandTimeoutMs: 10_000 },
        now,
        statsSnapshots: false,
        ...extra,
      });
      caches.push(cache);
      return cache;
    },
    async dispose() {
      for (const c of caches) await c.close().catch(() => undefined);
      await yahoo.close();
      for (const d of dirs) await d.cleanup();
    },
  };
}

const truth = (symbol: string, start: string, end: string) =>
  syntheticDailyBars({ symbol, start: Date.parse(`${start}T00:00:00Z`), end: Date.parse(`${end}T00:00:00Z`) + 1 });

function runWorkers(n: number, yahooUrl: string, redisUrl: string, cluster: boolean, symbols: string[]) {
  return Array.from({ length: n }, () => {
    const dir = makeTempDir('barcache-worker-');
    const child = startProcess('shared-worker.ts', [dir.path, yahooUrl, redisUrl, cluster ? '1' : '0', '5000', symbols.join(','), START, END]);
    return { dir, child };
  });
}

async function finish(w: ReturnType<typeof runWorkers>[number]) {
  const line = await w.child.waitFor(/^\{/, 120_000);
  await w.dir.cleanup();
  return JSON.parse(line) as { reads: number; digest: string; whole: Record<string, unknown[]>; failed: string[]; stats: { provider: { calls: number; retries: number } } };
}

for (const mode of ['single server', '3-node cluster'] as const) {
  describe.skipIf(!available)(`shared tier on a ${mode}`, () => {
    let redis: { url: string; stop(): Promise<void> };
    let yahoo: YahooChartServer;
    beforeAll(async () => {
      redis = mode === 'single server' ? await startRedisServer() : await startRedisCluster();
      yahoo = await startYahooChartServer();
    }, 60_000);
    afterAll(async () => {
      await yahoo?.close();
      await redis?.stop();
    });

    it('8 worker processes with empty disks make one provider call per series in total', async () => {
      const symbols = mode === 'single server' ? ['AAPL', 'MSFT', 'NVDA'] : ['KO', 'PEP', 'XOM'];
      yahoo.resetRequests();
      const workers = runWorkers(8, yahoo.url, redis.url, mode !== 'single server', symbols);
      const results = await Promise.all(workers.map(finish));
      const shared = results.map((r) => (r.stats as { shared?: unknown }).shared);
      // One provider call per series across the fleet (an HTTP retry inside a call is not a second call).
      const calls = results.reduce((n, r) => n + r.stats.provider.calls, 0);
      const retries = results.reduce((n, r) => n + r.stats.provider.retries, 0);
      expect(calls, JSON.stringify(shared)).toBe(symbols.length);
      for (const symbol of symbols) expect(yahoo.chartRequests(symbol).length, symbol).toBeGreaterThanOrEqual(1);
      expect(yahoo.chartRequests().length).toBe(symbols.length + retries);
      for (const r of results) {
        expect(r.failed).toEqual([]);
        expect(r.digest).toBe(results[0]!.digest);
        for (const symbol of symbols) expect(r.whole[symbol]).toEqual(truth(symbol, START, END));
      }
    }, 180_000);
  });
}

describe.skipIf(!available)('shared tier: a worker with an empty disk', () => {
  let redis: RedisServer;
  let f: Fleet;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await f?.dispose();
  });

  it('loads 50 symbols × 10 years from Redis with 0 provider calls', async () => {
    f = await fleet();
    const symbols = Array.from({ length: 50 }, (_, i) => `S${i}`);
    const plan = { symbols, interval: '1d' as const, start: '2015-01-02', end: '2024-12-31' };
    const first = await f.open(redis.url);
    (await first.prefetch(plan)).release();
    expect(f.yahoo.chartRequests().length).toBe(50);
    f.yahoo.resetRequests();
    const second = await f.open(redis.url);
    // explain names the shared tier for what the local disk lacks and Redis holds.
    const explained = await second.explain({ symbol: 'S3', interval: '1d', start: plan.start, end: plan.end });
    expect(explained.parts.map((p) => p.tier)).toEqual(['shared']);
    const session = await second.prefetch(plan);
    expect(session.report.failed).toEqual([]);
    expect(f.yahoo.chartRequests().length).toBe(0);
    for (const symbol of ['S0', 'S17', 'S49']) {
      expect(await second.getBars({ symbol, interval: '1d', start: plan.start, end: plan.end })).toEqual(truth(symbol, plan.start, plan.end));
    }
    const shared = second.stats().shared!;
    expect(shared.hits).toBeGreaterThanOrEqual(50);
    expect(shared.misses).toBe(0);
    session.release();
  }, 120_000);

  it('carries on through the provider when Redis dies, and uses Redis again when it is back', async () => {
    f = await fleet();
    const cache = await f.open(redis.url, { shared: { url: redis.url, commandTimeoutMs: 500 } });
    await redis.kill();
    const bars = await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-06-28' });
    expect(bars).toEqual(truth('AAPL', '2024-01-02', '2024-06-28'));
    const down = cache.stats().shared!;
    expect(down.faults).toBeGreaterThan(0);
    expect(down.status).toBe('unavailable');
    await redis.restart();
    // The client reconnects in the background (with back-off): wait until the tier answers again.
    const deadline = Date.now() + 30_000;
    while ((await cache.checkShared!())!.status !== 'ok' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // Back: the next fill is published, and a fresh worker reads it from Redis.
    await cache.getBars({ symbol: 'MSFT', interval: '1d', start: '2024-01-02', end: '2024-06-28' });
    expect(cache.stats().shared!.status).toBe('ok');
    f.yahoo.resetRequests();
    const fresh = await f.open(redis.url);
    expect(await fresh.getBars({ symbol: 'MSFT', interval: '1d', start: '2024-01-02', end: '2024-06-28' })).toEqual(truth('MSFT', '2024-01-02', '2024-06-28'));
    expect(f.yahoo.chartRequests('MSFT').length).toBe(0);
  }, 60_000);

  it('heals a damaged value in Redis: dropped there, refetched, republished', async () => {
    f = await fleet();
    const first = await f.open(redis.url);
    await first.getBars({ symbol: 'KO', interval: '1d', start: '2023-01-03', end: '2023-12-29' });
    const keys = redis.cli('--scan', '--pattern', '*{yahoo|KO|1d}:b:*').split('\n').filter(Boolean);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) redis.cli('SETRANGE', key, '12', 'XXXX');
    f.yahoo.resetRequests();
    const second = await f.open(redis.url);
    expect(await second.getBars({ symbol: 'KO', interval: '1d', start: '2023-01-03', end: '2023-12-29' })).toEqual(truth('KO', '2023-01-03', '2023-12-29'));
    expect(f.yahoo.chartRequests('KO').length).toBe(1);
    expect(second.stats().shared!.corrupt).toBeGreaterThan(0);
    f.yahoo.resetRequests();
    const third = await f.open(redis.url);
    expect(await third.getBars({ symbol: 'KO', interval: '1d', start: '2023-01-03', end: '2023-12-29' })).toEqual(truth('KO', '2023-01-03', '2023-12-29'));
    expect(f.yahoo.chartRequests('KO').length).toBe(0);
  }, 60_000);

  it('takes over from a lease holder killed mid-fill once its lease expires; nothing torn', async () => {
    f = await fleet();
    f.yahoo.setFault({ kind: 'hang', times: 1 }, 'XOM');
    const holder = runWorkers(1, f.yahoo.url, redis.url, false, ['XOM'])[0]!;
    await holder.child.waitFor(/^opened$/, 30_000);
    // Wait until the holder's request is hanging at the server: it holds the lease now.
    const deadline = Date.now() + 20_000;
    while (f.yahoo.chartRequests('XOM').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    holder.child.child.kill('SIGKILL');
    await holder.dir.cleanup();
    const started = Date.now();
    const cache = await f.open(redis.url, { shared: { url: redis.url, leaseTtlMs: 2000, leaseWaitMs: 30_000 } });
    const bars = await cache.getBars({ symbol: 'XOM', interval: '1d', start: START, end: END });
    expect(bars).toEqual(truth('XOM', START, END));
    // It waited for the dead holder's lease (5 s) rather than racing it.
    expect(cache.stats().shared!.leasesWaited).toBe(1);
    expect(Date.now() - started).toBeGreaterThan(1000);
  }, 60_000);

  it('carries on when Redis is full (maxmemory, noeviction): reads stay correct, the fault is counted', async () => {
    const full = await startRedisServer({ maxMemoryBytes: 1_200_000 });
    try {
      f = await fleet();
      const cache = await f.open(full.url);
      const symbols = Array.from({ length: 20 }, (_, i) => `F${i}`);
      const session = await cache.prefetch({ symbols, interval: '1d', start: '2015-01-02', end: '2024-12-31' });
      expect(session.report.failed).toEqual([]);
      for (const symbol of ['F0', 'F19']) {
        expect(await cache.getBars({ symbol, interval: '1d', start: '2015-01-02', end: '2024-12-31' })).toEqual(truth(symbol, '2015-01-02', '2024-12-31'));
      }
      const shared = cache.stats().shared!;
      expect(shared.faults).toBeGreaterThan(0);
      expect(shared.lastFault!.message).toMatch(/OOM|maxmemory/i);
      session.release();
    } finally {
      await full.stop();
    }
  }, 60_000);
});
