/**
 * Two caches on one store, as two processes share one database: the gap filler takes the store's
 * fill lease, re-reads the series meta and re-plans, so what one committed the other does not fetch
 * again; a series one cleared is not served empty by the other.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { syntheticDailyBars } from '@barcache/test-support';
import type { BarProvider, ProviderRequest, ProviderResult } from '@barcache/cache-core';
import { DefaultBarCache } from '../src/cache/bar-cache.js';
import { MemoryBarStore } from '../src/tiers/disk/memory-bar-store.js';

const NOW = Date.parse('2025-03-03T20:00:00Z');

class CountingSynthetic implements BarProvider {
  readonly name = 'synthetic';
  readonly requests: ProviderRequest[] = [];
  async fetchBars(req: ProviderRequest): Promise<ProviderResult> {
    this.requests.push(req);
    await new Promise((r) => setTimeout(r, 5));
    return { bars: syntheticDailyBars({ symbol: req.symbol, start: req.start, end: req.end }).filter((b) => b.time >= req.start && b.time < req.end) };
  }
}

let store: MemoryBarStore;
let provider: CountingSynthetic;
const caches: DefaultBarCache[] = [];

async function cacheOnSharedStore(): Promise<DefaultBarCache> {
  const cache = new DefaultBarCache({
    dir: ':memory:',
    store,
    provider,
    now: () => NOW,
    memoryMaxBytes: 64 * 2 ** 20,
    diskMaxBytes: Number.POSITIVE_INFINITY,
    offline: false,
    provisionalTtlMs: 60_000,
  });
  await cache.init();
  caches.push(cache);
  return cache;
}

beforeEach(async () => {
  store = new MemoryBarStore();
  await store.open();
  provider = new CountingSynthetic();
});
afterEach(async () => {
  caches.length = 0;
  await store.close();
});

const q = { symbol: 'SPY', interval: '1d', start: '2024-03-01', end: '2024-03-28' } as const;

it('does not fetch what another cache on the same store committed after this one loaded its metas', async () => {
  const a = await cacheOnSharedStore();
  const b = await cacheOnSharedStore(); // loaded its metas while the store was empty
  const fromA = await a.getBars(q);
  expect(provider.requests).toHaveLength(1);
  expect(await b.getBars(q)).toEqual(fromA);
  expect(provider.requests).toHaveLength(1);
  expect((await b.listSeries()).map((s) => s.symbol)).toEqual(['SPY']);
});

it('fills once when two caches ask for the same gap at the same time (the lease, then a re-plan)', async () => {
  const a = await cacheOnSharedStore();
  const b = await cacheOnSharedStore();
  const [x, y] = await Promise.all([a.getBars(q), b.getBars(q)]);
  expect(x).toEqual(y);
  expect(x.length).toBeGreaterThan(15);
  expect(provider.requests).toHaveLength(1);
});

it('does not serve a series another cache cleared as empty: it fetches it again', async () => {
  const a = await cacheOnSharedStore();
  const bars = await a.getBars(q);
  const b = await cacheOnSharedStore(); // its metas say SPY is stored
  await a.clear({ symbol: 'SPY' });
  expect(await b.getBars(q)).toEqual(bars);
  expect(provider.requests).toHaveLength(2);
});
