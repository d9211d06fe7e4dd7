import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCacheOnServer, toEpochMs as utc, type CacheOnServer } from '@barcache/test-support';
import { LATENCY_SAMPLE_EVERY as N } from '../src/cache/bar-cache.js';

const NOW = Date.parse('2025-03-03T20:00:00Z');
const now = () => NOW;

let fx: CacheOnServer;
beforeEach(async () => {
  fx = await startCacheOnServer();
});
afterEach(async () => {
  await fx.dispose();
});

type Cache = Awaited<ReturnType<CacheOnServer['open']>>;
const hit = (cache: Cache, i: number) =>
  expect(cache.peekBars({ symbol: 'AAPL', interval: '1d', start: utc('2024-03-01'), end: utc('2024-04-01') + (i % 40) })).toBeDefined();
/** A request served by the slow path: a year of a series L1 does not hold yet. */
const slow = (cache: Cache, k: number) => cache.getBars({ symbol: ['MSFT', 'NVDA', 'IBM'][k % 3]!, interval: '1d', start: `${2000 + Math.floor(k / 3)}-01-03`, end: `${2000 + Math.floor(k / 3)}-12-29` });

describe('review: sampled latency keeps the histogram count equal to the requests', () => {
  it('slow requests anywhere among sampled and unsampled hits: never counted twice, no hit dropped', async () => {
    const cache = await fx.open({ now });
    await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-12-31' });
    let seed = 11;
    const rand = (m: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % m;
    let slowCalls = 0;
    // Runs of hits of every length (past the long-run rate too) with slow requests between them,
    // landing on sampled and unsampled slots alike.
    for (let run = 0; run < 24; run++) {
      const hits = rand(3) === 0 ? rand(2 * N) : rand(20);
      for (let i = 0; i < hits; i++) hit(cache, i);
      expect(cache.stats().latency.count).toBeLessThanOrEqual(cache.stats().requests); // never counted twice
      await slow(cache, slowCalls++);
      expect(cache.stats().latency.count).toBeLessThanOrEqual(cache.stats().requests);
    }
    // The next sampled hit stands for every hit the histogram does not hold yet: within N hits the
    // count catches up exactly (a dropped hit would leave it short for good).
    let extra = 0;
    while (cache.stats().latency.count !== cache.stats().requests && extra <= N) hit(cache, extra++);
    expect(cache.stats().latency.count).toBe(cache.stats().requests);
    expect(cache.stats().requests).toBeGreaterThan(24 + 1);
  });

  it('a short run of hits after a slow fill: the histogram describes the hits, not only the fill', async () => {
    const cache = await fx.open({ now });
    await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-12-31' });
    const fill = cache.stats().latency;
    expect(fill.count).toBe(1);
    for (let i = 0; i < 200; i++) hit(cache, i);
    const s = cache.stats();
    expect(s.requests).toBe(201);
    expect(s.latency.count).toBeGreaterThan(s.requests / 2); // was 1 at a fixed 1 in 256
    expect(s.latency.p50Ms).toBeLessThan(fill.p50Ms); // the hits' median, not the fill's
  });
});
