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

describe('review: sampled latency keeps the histogram count equal to the requests', () => {
  const hit = (cache: Awaited<ReturnType<CacheOnServer['open']>>, i: number) =>
    expect(cache.peekBars({ symbol: 'AAPL', interval: '1d', start: utc('2024-03-01'), end: utc('2024-04-01') + i })).toBeDefined();
  const slow = (cache: Awaited<ReturnType<CacheOnServer['open']>>, symbol: string) =>
    cache.getBars({ symbol, interval: '1d', start: '2024-01-02', end: '2024-12-31' });

  it('a slow request on the sampled slot does not drop the N − 1 L1 hits it stands for', async () => {
    const cache = await fx.open({ now });
    await slow(cache, 'AAPL'); // request 1: sampled (weight 1)
    for (let i = 0; i < N - 1; i++) hit(cache, i); // 2..N: unsampled
    await slow(cache, 'MSFT'); // N + 1: takes the sampled slot, recorded with weight 1
    for (let i = 0; i < N; i++) hit(cache, i); // N + 2..2N + 1: the last is sampled
    const s = cache.stats();
    expect(s.requests).toBe(2 * N + 1);
    expect(s.latency.count).toBe(2 * N + 1); // was N + 2: N − 1 hits never counted
  });

  it('an unsampled slow request is not counted twice', async () => {
    const cache = await fx.open({ now });
    await slow(cache, 'AAPL'); // 1
    for (let i = 0; i < N; i++) hit(cache, i); // 2..N + 1: the last sampled, weight N
    await slow(cache, 'MSFT'); // N + 2: unsampled, timed with weight 1 (already inside the last sample's N)
    for (let i = 0; i < N - 1; i++) hit(cache, i); // N + 3..2N + 1: the last sampled, weight N
    const s = cache.stats();
    expect(s.requests).toBe(2 * N + 1);
    expect(s.latency.count).toBe(2 * N + 1); // was 2N + 2
  });
});
