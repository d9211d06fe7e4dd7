import { describe, expect, it } from 'vitest';
import { DefaultBarCache } from '../src/cache/bar-cache.js';
import { MemoryBarStore } from '../src/tiers/disk/memory-bar-store.js';
import type { Bar, BarProvider, ProviderRequest } from '../src/types.js';

const DAY = 86_400_000;
const FIRST = Date.parse('2025-02-03T00:00:00Z');
const TTL = 60_000;

/** Daily bars up to now; today's (forming) bar's close is whatever `formingClose` says at fetch time. */
class Provider implements BarProvider {
  readonly name = 'shape';
  formingClose = 100.25;
  constructor(private readonly clock: () => number) {}
  async fetchBars(req: ProviderRequest) {
    const bars: Bar[] = [];
    for (let t = FIRST; t <= this.clock(); t += DAY) {
      const forming = t + DAY > this.clock();
      bars.push({ time: t, open: 100, high: 101, low: 99, close: forming ? this.formingClose : 100.5, volume: 1000 });
    }
    return { bars: bars.filter((b) => b.time >= req.start && b.time < req.end) };
  }
}

function cacheOn(store: MemoryBarStore, provider: BarProvider, now: () => number) {
  return new DefaultBarCache({ dir: ':memory:', store, provider, now, memoryMaxBytes: 1 << 24, diskMaxBytes: 1 << 30, offline: false, provisionalTtlMs: TTL });
}

describe('review: a block another writer rewrote with the same shape (bars, bytes, first, last)', () => {
  it('is reloaded, not served stale from L1 under the other writer\'s fresh ledger', async () => {
    let now = Date.parse('2025-02-07T15:00:00Z');
    const clock = () => now;
    const store = new MemoryBarStore();
    await store.open();
    const pa = new Provider(clock);
    const pb = new Provider(clock);
    const a = cacheOn(store, pa, clock);
    const b = cacheOn(store, pb, clock);
    await a.init();
    await b.init();
    const q = { symbol: 'SHP', interval: '1d' as const, start: FIRST, end: now };
    const first = await a.getBars(q);
    expect(first.at(-1)!.close).toBe(100.25);
    // The forming bar moves; after the TTL the other writer refetches it first.
    now += 2 * TTL;
    pb.formingClose = 100.75;
    pa.formingClose = 100.75;
    expect((await b.getBars(q)).at(-1)!.close).toBe(100.75);
    const metaBlocks = (await store.getMeta('shape:SHP:1d'))?.blocks ?? (await store.listMeta())[0]!.blocks;
    expect(metaBlocks).toHaveLength(1);
    // A's L1 copy is past its TTL: its slow path rereads the meta (fresh, written by B) and must not serve 100.25.
    const again = await a.getBars(q);
    expect(again.at(-1)!.close).toBe(100.75);
    await a.close();
    await b.close();
  });

  it('is reloaded after listSeries() refreshed the catalog first', async () => {
    let now = Date.parse('2025-02-07T15:00:00Z');
    const clock = () => now;
    const store = new MemoryBarStore();
    await store.open();
    const pa = new Provider(clock);
    const pb = new Provider(clock);
    const a = cacheOn(store, pa, clock);
    const b = cacheOn(store, pb, clock);
    await a.init();
    await b.init();
    const q = { symbol: 'SHP', interval: '1d' as const, start: FIRST, end: now };
    expect((await a.getBars(q)).at(-1)!.close).toBe(100.25);
    now += 2 * TTL;
    pb.formingClose = pa.formingClose = 100.75;
    expect((await b.getBars(q)).at(-1)!.close).toBe(100.75);
    await a.listSeries();
    expect((await a.getBars(q)).at(-1)!.close).toBe(100.75);
    await a.close();
    await b.close();
  });
});
