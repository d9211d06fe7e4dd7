import { describe, expect, it } from 'vitest';
import { DefaultBarCache } from '../src/cache/bar-cache.js';
import { MemoryBarStore } from '../src/tiers/disk/memory-bar-store.js';
import type { Bar, BarProvider, ProviderLimits, ProviderRequest } from '../src/types.js';

const DAY = 86_400_000;
const NOW = Date.parse('2025-03-03T20:00:00Z');

/** Serves 15m bars around the clock, but (like Yahoo) only the last 60 days of them. */
class Provider implements BarProvider {
  readonly name = 'aged';
  readonly limits: ProviderLimits = { maxSpanMs: { '15m': 30 * DAY }, maxAgeMs: { '15m': 60 * DAY }, settleDelayMs: 0 };
  async fetchBars(req: ProviderRequest) {
    const bars: Bar[] = [];
    for (let t = Math.max(req.start, NOW - 60 * DAY); t < req.end; t += 15 * 60_000) bars.push({ time: t, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 });
    return { bars };
  }
}

describe('review: a range older than the provider serves (maxAgeMs)', () => {
  it('is reported with a code, not answered with no bars', async () => {
    const store = new MemoryBarStore();
    await store.open();
    const cache = new DefaultBarCache({ dir: ':memory:', store, provider: new Provider(), now: () => NOW, memoryMaxBytes: 1 << 24, diskMaxBytes: 1 << 30, offline: false, provisionalTtlMs: 60_000 });
    await cache.init();
    const q = { symbol: 'OLD', interval: '15m' as const, start: NOW - 90 * DAY, end: NOW - 80 * DAY };
    // Nothing is cached and the provider can no longer serve it: a backtest must not run on [] silently.
    const outcome = await cache.getBars(q).then(
      (bars) => ({ bars: bars.length }),
      (e: { code?: string }) => ({ code: e.code }),
    );
    expect(outcome).not.toEqual({ bars: 0 });
    expect(typeof (outcome as { code?: string }).code).toBe('string');
    await cache.close();
  });
});
