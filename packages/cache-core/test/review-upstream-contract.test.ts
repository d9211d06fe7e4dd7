import { describe, expect, it } from 'vitest';
import { DefaultBarCache } from '../src/cache/bar-cache.js';
import { MemoryBarStore } from '../src/tiers/disk/memory-bar-store.js';
import type { UpstreamAnswer, UpstreamRequest, UpstreamTier } from '../src/tiers/upstream-tier.js';
import type { Bar, BarProvider, ProviderRequest } from '../src/types.js';

const DAY = 86_400_000;
const NOW = Date.parse('2025-03-03T20:00:00Z');

class Provider implements BarProvider {
  readonly name = 'p';
  async fetchBars(req: ProviderRequest) {
    const bars: Bar[] = [];
    for (let t = Date.parse('2024-01-01T00:00:00Z'); t < Date.parse('2025-01-01T00:00:00Z'); t += DAY) {
      if (t >= req.start && t < req.end) bars.push({ time: t, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 });
    }
    return { bars };
  }
}

/** A link in front of the provider that answers only the first half of each range (a contract break). */
function halfLink(next: UpstreamTier): UpstreamTier {
  return {
    name: 'half',
    provider: next.provider,
    ...(next.limits ? { limits: next.limits } : {}),
    async fetch(req: UpstreamRequest): Promise<UpstreamAnswer> {
      const ranges = req.ranges.map((r) => ({ start: r.start, end: r.start + Math.floor((r.end - r.start) / 2 / DAY) * DAY }));
      const answer = await next.fetch({ ...req, ranges });
      return answer; // pieces cover only half of what was asked, and nothing is listed as failed
    },
  };
}

describe('review: the gap filler checks the upstream answer covers what it asked', () => {
  it('a range an upstream link neither answered nor listed as failed is an error, not missing bars', async () => {
    const store = new MemoryBarStore();
    await store.open();
    const cache = new DefaultBarCache({
      dir: ':memory:',
      store,
      provider: new Provider(),
      upstream: halfLink,
      now: () => NOW,
      memoryMaxBytes: 1 << 24,
      diskMaxBytes: 1 << 30,
      offline: false,
      provisionalTtlMs: 60_000,
    });
    await cache.init();
    const q = { symbol: 'HALF', interval: '1d' as const, start: '2024-01-01', end: '2024-12-31' };
    let bars: Bar[] | undefined;
    let err: unknown;
    try {
      bars = await cache.getBars(q);
    } catch (e) {
      err = e;
    }
    if (err === undefined) expect(bars).toHaveLength(366); // every bar, or an error
    else expect((err as { code?: string }).code).toBe('PROVIDER_FAILED');
    await cache.close();
  });
});
