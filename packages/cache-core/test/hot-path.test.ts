import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syntheticDailyBars } from '@barcache/test-support';
import { isBarcacheError } from '@barcache/cache-core';
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

describe('the L1 hot path', () => {
  it('samples the latency of L1 hits but still counts every request in the histogram', async () => {
    const cache = await fx.open({ now });
    await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-12-31' }); // slow: always timed
    expect(cache.stats().latency.count).toBe(1);
    // Well past the ramp to the long-run rate (1 in N): then a sample comes at most every N hits,
    // and each stands for every hit since the last one.
    let hits = 0;
    const peek = () => cache.peekBars({ symbol: 'AAPL', interval: '1d', start: utc('2024-03-01'), end: utc('2024-04-01') + (hits++ % 32) });
    for (let i = 0; i < 40 * N; i++) peek();
    let sinceEqual = 0;
    for (let i = 0; i < 3 * N; i++) {
      peek();
      const s = cache.stats();
      expect(s.latency.count).toBeLessThanOrEqual(s.requests);
      sinceEqual = s.latency.count === s.requests ? 0 : sinceEqual + 1;
      expect(sinceEqual).toBeLessThan(N); // a sample at least every N hits
    }
    const s = cache.stats();
    expect(s.requests).toBe(hits + 1);
    expect(s.latency.count).toBeLessThan(s.requests + 1);
    expect(s.latency.count).toBeGreaterThan(s.requests - N);
    expect(s.latency.maxMs).toBeGreaterThan(0);
  });

  it("serves 'YYYY-MM-DD' queries exactly like epoch-ms ones, and keeps rejecting a bad date", async () => {
    const cache = await fx.open({ now });
    const q = { symbol: 'MSFT', interval: '1d' as const };
    const byString = await cache.getBars({ ...q, start: '2024-05-01', end: '2024-05-31' });
    const byMs = await cache.getBars({ ...q, start: utc('2024-05-01'), end: utc('2024-05-31') });
    expect(byString).toEqual(byMs);
    expect(byString).toEqual(syntheticDailyBars({ symbol: 'MSFT', start: '2024-05-01', end: '2024-05-31', inclusive: true }));
    // The same strings again (now memoised) and in swapped roles.
    expect(cache.peekBars({ ...q, start: '2024-05-01', end: '2024-05-31' })).toEqual(byMs);
    expect(cache.peekBars({ ...q, start: '2024-05-31', end: '2024-05-31' })).toEqual(byMs.slice(-1));
    for (let i = 0; i < 2; i++) {
      let err: unknown;
      try {
        cache.peekBars({ ...q, start: '2024-02-30', end: '2024-05-31' });
      } catch (e) {
        err = e;
      }
      expect(isBarcacheError(err, 'INVALID_ARGUMENT')).toBe(true);
    }
    // A reversed range of memoised strings is still refused.
    expect(() => cache.peekBars({ ...q, start: '2024-05-31', end: '2024-05-01' })).toThrow(/reversed range/);
  });

  it('a lookback window ends exactly at the last bar <= end (one binary search, then a gallop)', async () => {
    const cache = await fx.open({ now });
    const q = { symbol: 'NVDA', interval: '1d' as const };
    const all = await cache.getBars({ ...q, start: '2024-01-02', end: '2024-12-31' });
    for (const [i, span] of [[0, 0], [5, 1], [10, 29], [100, 150], [0, all.length - 1]] as const) {
      const j = Math.min(all.length - 1, i + span);
      // Ends between bars (a weekend or the middle of a day) and on a bar.
      expect(cache.peekBars({ ...q, start: all[i]!.time, end: all[j]!.time })).toEqual(all.slice(i, j + 1));
      expect(cache.peekBars({ ...q, start: all[i]!.time, end: all[j]!.time + 3_600_000 })).toEqual(all.slice(i, j + 1));
      expect(cache.peekBars({ ...q, start: all[i]!.time - 1, end: all[j]!.time - 1 })).toEqual(all.slice(i, j));
    }
  });
});
