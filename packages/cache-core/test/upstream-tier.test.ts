/**
 * The tier chain: a link placed between the disk tier and the provider (here a shared tier kept in
 * memory, standing in for a team's Redis) is one class implementing UpstreamTier, plugged in
 * through BarCacheParts.upstream, with no change to the read path. What a colleague fetched is
 * served without a provider call, and recorded with its original fetch time.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { syntheticDailyBars } from '@barcache/test-support';
import type { BarProvider, ProviderRequest, ProviderResult } from '@barcache/cache-core';
import { DefaultBarCache } from '../src/cache/bar-cache.js';
import { seriesId } from '../src/series-key.js';
import { MemoryBarStore } from '../src/tiers/disk/memory-bar-store.js';
import type { UpstreamAnswer, UpstreamPiece, UpstreamRequest, UpstreamTier } from '../src/tiers/upstream-tier.js';

const NOW = Date.parse('2025-03-03T20:00:00Z');
const clock = { now: NOW };

class SyntheticProvider implements BarProvider {
  readonly name = 'synthetic';
  calls = 0;
  async fetchBars(req: ProviderRequest): Promise<ProviderResult> {
    this.calls++;
    return { bars: syntheticDailyBars({ symbol: req.symbol, start: req.start, end: req.end }).filter((b) => b.time >= req.start && b.time < req.end), exchangeTimezone: 'America/New_York' };
  }
}

/** A shared tier: answers ranges it holds whole, asks `next` for the rest and keeps the answers. */
class SharedTier implements UpstreamTier {
  readonly name = 'shared';
  readonly #held = new Map<string, UpstreamPiece[]>();
  hits = 0;
  constructor(readonly next: UpstreamTier) {}
  get provider() {
    return this.next.provider;
  }
  get limits() {
    return this.next.limits;
  }
  async fetch(request: UpstreamRequest): Promise<UpstreamAnswer> {
    const id = seriesId(request.key);
    const held = this.#held.get(id) ?? [];
    const pieces: UpstreamPiece[] = [];
    const ask = [];
    for (const range of request.ranges) {
      const piece = held.find((p) => p.range.start <= range.start && range.end <= p.range.end);
      if (piece) {
        this.hits++;
        pieces.push({ ...piece, range, bars: piece.bars.filterRange(range) });
      } else ask.push(range);
    }
    if (ask.length === 0) return { pieces, failures: [], providerCalls: 0 };
    const answer = await this.next.fetch({ ...request, ranges: ask });
    this.#held.set(id, [...held, ...answer.pieces]);
    return { pieces: [...pieces, ...answer.pieces], failures: answer.failures, providerCalls: answer.providerCalls };
  }
}

let provider: SyntheticProvider;
let shared: SharedTier | undefined;
const stores: MemoryBarStore[] = [];

async function colleague(): Promise<DefaultBarCache> {
  const store = new MemoryBarStore();
  await store.open();
  stores.push(store);
  const cache = new DefaultBarCache({
    dir: ':memory:',
    store,
    provider,
    upstream: (next) => (shared ??= new SharedTier(next)),
    now: () => clock.now,
    memoryMaxBytes: 64 * 2 ** 20,
    diskMaxBytes: Number.POSITIVE_INFINITY,
    offline: false,
    provisionalTtlMs: 60_000,
  });
  await cache.init();
  return cache;
}

beforeEach(() => {
  clock.now = NOW;
  provider = new SyntheticProvider();
  shared = undefined;
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

it("serves a colleague's fetch from the shared tier, recorded with the colleague's fetch time", async () => {
  const q = { symbol: 'SPY', interval: '1d', start: '2023-03-01', end: '2023-06-30' } as const;
  const alice = await colleague();
  const fromAlice = await alice.getBars(q);
  expect(provider.calls).toBe(1);
  const fetchedAt = clock.now;

  clock.now += 3_600_000; // an hour later, on another machine with its own disk
  const bob = await colleague();
  const fromBob = await bob.getBars(q);
  expect(fromBob).toEqual(fromAlice);
  expect(provider.calls).toBe(1);
  expect(shared!.hits).toBe(1);
  const [series] = await bob.listSeries();
  expect(series!.lastFetchedAt).toBe(fetchedAt);
  // Bob's own disk has it now: asked again, nobody is called.
  const bobAgain = await bob.getBars(q);
  expect(bobAgain).toEqual(fromAlice);
  expect(shared!.hits).toBe(1);
  expect(bob.stats().provider.calls).toBe(0);
});
