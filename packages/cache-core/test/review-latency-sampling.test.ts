import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCacheOnServer, toEpochMs as utc, type CacheOnServer } from '@barcache/test-support';

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

  it('a slow request on the sampled slot does not drop the 15 L1 hits it stands for', async () => {
    const cache = await fx.open({ now });
    await slow(cache, 'AAPL'); // request 1: sampled (weight 1)
    for (let i = 0; i < 15; i++) hit(cache, i); // 2..16: unsampled
    await slow(cache, 'MSFT'); // 17: takes the sampled slot, recorded with weight 1
    for (let i = 0; i < 16; i++) hit(cache, i); // 18..33: 33 is sampled
    const s = cache.stats();
    expect(s.requests).toBe(33);
    expect(s.latency.count).toBe(33); // was 18: 15 hits never counted
  });

  it('an unsampled slow request is not counted twice', async () => {
    const cache = await fx.open({ now });
    await slow(cache, 'AAPL'); // 1
    for (let i = 0; i < 16; i++) hit(cache, i); // 2..17: 17 sampled, weight 16
    await slow(cache, 'MSFT'); // 18: unsampled, timed with weight 1 (already inside 17's 16)
    for (let i = 0; i < 15; i++) hit(cache, i); // 19..33: 33 sampled, weight 16
    const s = cache.stats();
    expect(s.requests).toBe(33);
    expect(s.latency.count).toBe(33); // was 34
  });
});
