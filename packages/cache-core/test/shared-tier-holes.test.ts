/**
 * Holes travel through the shared tier: a worker that reads a range from Redis knows exactly what
 * the publishing worker knows of the bars the provider sent without prices: which bars are
 * missing, how many times each was asked, and which slots are still to be re-asked (provisional)
 * or given up on (known). The fleet re-asks a hole once per round, not once per worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BarCache } from '@barcache/cache-core';
import { hasRedisServer, makeTempDir, startCacheOnServer, startRedisServer, type CacheOnServer, type RedisServer, type TempDir } from '@barcache/test-support';

const available = hasRedisServer();
const TTL = 60_000;

describe.skipIf(!available)('shared tier: holes (bars the provider sent without prices)', () => {
  let redis: RedisServer;
  let fx: CacheOnServer;
  const dirs: TempDir[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
    fx = await startCacheOnServer();
  }, 30_000);
  afterAll(async () => {
    await fx?.dispose();
    for (const d of dirs) await d.cleanup();
    await redis?.stop();
  });

  const dir = () => {
    const d = makeTempDir('barcache-holes-');
    dirs.push(d);
    return d.path;
  };

  it('a worker reading from Redis reports the same holes, re-asks them as the publisher does, then keeps them as known holes', async () => {
    let t = Date.parse('2024-03-04T21:00:00Z');
    const now = () => t;
    const q = { symbol: 'NULLS', interval: '1d', start: '2023-01-03', end: '2023-12-29' } as const;
    fx.server.setFault({ kind: 'nullBars', every: 3 }, 'NULLS');
    const open = () => fx.open({ dir: dir(), shared: { url: redis.url }, now, provisionalTtlMs: TTL });
    const holesOf = async (c: BarCache) => (await c.listSeries()).find((s) => s.symbol === 'NULLS')?.holes;

    const a = await open();
    const fromA = await a.getBars(q);
    expect(fx.calls('NULLS')).toBe(1);
    const aHoles = await holesOf(a);
    expect(aHoles?.pending, 'the publisher has pending holes').toBeGreaterThan(0);

    // B, with an empty disk, reads the range from Redis: same bars, same holes, no provider call.
    const b = await open();
    expect(await b.getBars(q)).toEqual(fromA);
    expect(fx.calls('NULLS')).toBe(1);
    expect(b.stats().shared!.hits).toBeGreaterThan(0);
    expect(await holesOf(b)).toEqual(aHoles);
    expect(b.stats().holes).toEqual(a.stats().holes);
    expect((await b.explain(q)).holes).toEqual((await a.explain(q)).holes);

    // Within the TTL the hole slots are fresh for both: no call.
    await b.getBars(q);
    await a.getBars(q);
    expect(fx.calls('NULLS')).toBe(1);

    // Past the TTL the holes are re-asked: one provider call per round for the fleet, whichever
    // worker asks first; the other reads the answer (and the retry count) from Redis.
    let rounds = 0;
    for (; rounds < 10; rounds++) {
      const before = fx.calls('NULLS');
      t += TTL + 1;
      const [first, second] = rounds % 2 === 0 ? [b, a] : [a, b];
      const got = await first.getBars(q);
      expect(await second.getBars(q)).toEqual(got);
      const calls = fx.calls('NULLS') - before;
      expect(calls, `provider calls in round ${rounds + 1}`).toBeLessThanOrEqual(1);
      expect(await holesOf(second)).toEqual(await holesOf(first));
      expect((await second.explain(q)).holes).toEqual((await first.explain(q)).holes);
      if (calls === 0) break;
    }
    // The first answer plus two re-asks make three answers without prices: known holes.
    expect(fx.calls('NULLS')).toBe(3);
    const known = await holesOf(a);
    expect(known?.pending).toBe(0);
    expect(known?.known).toBeGreaterThan(0);
    expect(await holesOf(b)).toEqual(known);
    expect(b.stats().holes).toEqual(a.stats().holes);
    // Known: final for both, never asked again.
    t += 10 * TTL;
    await a.getBars(q);
    await b.getBars(q);
    expect(fx.calls('NULLS')).toBe(3);

    // A third worker that comes late gets the known holes from Redis, final: no call, ever.
    const c = await open();
    expect(await c.getBars(q)).toEqual(await a.getBars(q));
    expect(await holesOf(c)).toEqual(known);
    expect((await c.explain(q)).holes).toEqual((await a.explain(q)).holes);
    t += 10 * TTL;
    await c.getBars(q);
    expect(fx.calls('NULLS')).toBe(3);
  }, 60_000);
});
