// A prefetch reads many series at once from a local store (its block reads are gathered per turn),
// but asks the provider for at most four symbols at a time, as it always has: a user's own provider
// has no limiter of its own, and rate limits count concurrent requests too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticDailyBars } from '@barcache/test-support';
import { expect, it } from 'vitest';
import { openCache, type BarProvider } from '../src/index.js';

it('a cold prefetch of 24 symbols on a local dir has at most 4 provider calls in flight; a warm one reads them all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'barcache-fill-concurrency-'));
  let inFlight = 0;
  let most = 0;
  let calls = 0;
  const provider: BarProvider = {
    name: 'counting',
    fetchBars: async (req) => {
      calls++;
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 15));
      inFlight--;
      return { bars: syntheticDailyBars({ symbol: req.symbol, start: req.start, end: req.end }) };
    },
  };
  const symbols = Array.from({ length: 24 }, (_, i) => `C${i}`);
  const plan = { symbols, interval: '1d' as const, start: '2022-01-03', end: '2023-12-29' };
  const now = () => Date.UTC(2025, 0, 6);
  try {
    const cache = await openCache({ dir, provider, now, statsSnapshots: false });
    try {
      expect(cache.stats().l2).toBeDefined();
      const cold = await cache.prefetch(plan);
      expect(cold.report.failed).toEqual([]);
      expect(calls).toBeGreaterThanOrEqual(symbols.length);
      expect(most).toBeLessThanOrEqual(4);
      expect(most).toBeGreaterThan(1); // still concurrent
      cold.release();
    } finally {
      await cache.close();
    }
    const warmCache = await openCache({ dir, provider, now, statsSnapshots: false });
    try {
      const before = calls;
      const warm = await warmCache.prefetch(plan);
      expect(warm.report.failed).toEqual([]);
      expect(calls).toBe(before);
      expect(warm.report.symbols.every((s) => s.bars > 400)).toBe(true);
      warm.release();
    } finally {
      await warmCache.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
