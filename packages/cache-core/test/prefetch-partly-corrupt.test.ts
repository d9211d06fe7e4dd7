import path from 'node:path';
import { Level } from 'level';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startCacheOnServer, type CacheOnServer } from '@barcache/test-support';

/**
 * The warm load (openCache + prefetch, L2 → L1) decodes a series' blocks into one allocation. A
 * block that fails its checksum in the middle of a series leaves an unused slot in that
 * allocation: nothing in it may reach a reader, and the load must still heal.
 */
const now = () => Date.parse('2025-03-03T21:00:00Z');
const plan = { symbols: ['AAPL', 'MSFT'], interval: '1d' as const, start: '2016-01-04', end: '2024-12-31' };
let fx: CacheOnServer;
beforeEach(async () => {
  fx = await startCacheOnServer();
});
afterEach(async () => {
  await fx.dispose();
});

it('a prefetch over a series with one damaged block in the middle refetches that block only and serves exactly the stored bars', async () => {
  const first = await fx.open({ now });
  const warm = await first.prefetch(plan);
  expect(warm.report.failed).toEqual([]);
  const wanted = { symbol: 'AAPL', interval: '1d' as const, start: plan.start, end: plan.end };
  const bars = first.peekBars(wanted)!.map((b) => ({ ...b }));
  const msft = first.peekBars({ ...wanted, symbol: 'MSFT' })!.map((b) => ({ ...b }));
  expect(bars.length).toBeGreaterThan(2000);
  await first.close();

  // Damage one block in the middle of AAPL (a year's block: 2019), with LevelDB itself.
  const db = new Level<string, Uint8Array>(path.join(fx.dir, 'db'), { keyEncoding: 'utf8', valueEncoding: 'view' });
  const keys: string[] = [];
  for await (const key of db.keys()) if (key.startsWith('!blocks!') && key.includes('AAPL')) keys.push(key);
  keys.sort();
  expect(keys.length).toBeGreaterThanOrEqual(9);
  const victim = keys[3]!;
  const bad = Uint8Array.from((await db.get(victim))!);
  bad[bad.length - 9]! ^= 0x5a;
  await db.put(victim, bad);
  await db.close();

  const calls = fx.calls('AAPL');
  const msftCalls = fx.calls('MSFT');
  const cache = await fx.open({ now });
  const { report } = await cache.prefetch(plan);
  expect(report.failed).toEqual([]);
  expect(cache.stats().l2.corruptBlocks).toBe(1);
  expect(fx.calls('AAPL')).toBe(calls + 1); // the damaged block's range, nothing else
  expect(fx.calls('MSFT')).toBe(msftCalls); // MSFT loads from disk untouched
  expect(cache.peekBars(wanted)).toEqual(bars);
  expect(cache.peekBars({ ...wanted, symbol: 'MSFT' })).toEqual(msft);
  // The columnar window agrees bar for bar (no value from the damaged block's unused slot).
  const cols = cache.peekColumns(wanted)!;
  expect(Array.from(cols.time)).toEqual(bars.map((b) => b.time));
  expect(Array.from(cols.close)).toEqual(bars.map((b) => b.close));
  await cache.close();

  // Healed on disk: an offline instance loads it clean.
  const third = await fx.open({ now, offline: true });
  expect((await third.prefetch(plan)).report.failed).toEqual([]);
  expect(third.peekBars(wanted)).toEqual(bars);
  expect(third.stats().l2.corruptBlocks).toBe(0);
});
