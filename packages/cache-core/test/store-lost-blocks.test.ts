/**
 * A block the series meta lists but LevelDB lacks (its log recovery dropped the batch that wrote
 * it) is treated as corrupt end to end, through openCache with the real YahooProvider and the
 * loopback server: dropped from the ledger and refetched online, OFFLINE_MISS offline, counted in
 * corruptBlocks. Before, it read as "no bars" and the answer was silently short.
 */
import path from 'node:path';
import { Level } from 'level';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startCacheOnServer, syntheticDailyBars, type CacheOnServer } from '@barcache/test-support';
import { ErrorCode, isBarcacheError } from '@barcache/cache-core';
const utc = (date: string) => Date.parse(`${date}T00:00:00Z`);

const now = () => Date.parse('2025-03-03T21:00:00Z');
const RANGE = { interval: '1d' as const, start: '2020-01-02', end: '2024-12-31' };
let fx: CacheOnServer;
beforeEach(async () => {
  fx = await startCacheOnServer();
});
afterEach(async () => {
  await fx.dispose();
});

/** Deletes the stored block holding `date` for `symbol`, with LevelDB directly (the cache closed). */
async function loseBlockOf(symbol: string, date: string): Promise<void> {
  const db = new Level<string, Uint8Array>(path.join(fx.dir, 'db'), { keyEncoding: 'utf8', valueEncoding: 'view' });
  const keys: string[] = [];
  for await (const key of db.keys({ gt: '!blocks!', lt: '!blocks"' })) if (key.includes(`|${symbol}|`)) keys.push(key);
  // Keys end in the block start as sortable hex of start + 2^52: the last one not after `date`.
  const startOf = (k: string) => parseInt(k.slice(k.lastIndexOf('\x00') + 1), 16) - 2 ** 52;
  const key = keys.filter((k) => startOf(k) <= utc(date)).at(-1);
  expect(key, `a block of ${symbol} holding ${date}`).toBeDefined();
  await db.del(key!);
  await db.close();
}

async function warm(symbols: string[]): Promise<void> {
  const cache = await fx.open({ now });
  for (const symbol of symbols) await cache.getBars({ symbol, ...RANGE });
  await cache.close();
}

const truth = (symbol: string) => syntheticDailyBars({ symbol, start: utc(RANGE.start), end: utc(RANGE.end) + 86_400_000 });

it('online: a lost block is refetched and counted in corruptBlocks; the answer is whole', async () => {
  await warm(['AAPL']);
  await loseBlockOf('AAPL', '2022-06-01');
  const calls = fx.calls('AAPL');
  const cache = await fx.open({ now });
  expect(await cache.getBars({ symbol: 'AAPL', ...RANGE })).toEqual(truth('AAPL'));
  expect(fx.calls('AAPL')).toBeGreaterThan(calls);
  expect(cache.stats().l2.corruptBlocks).toBe(1);
  await cache.close();
  // Healed: a new process serves it from disk without the provider.
  const again = await fx.open({ now });
  const before = fx.calls('AAPL');
  expect(await again.getBars({ symbol: 'AAPL', ...RANGE })).toEqual(truth('AAPL'));
  expect(fx.calls('AAPL')).toBe(before);
});

it('offline: a lost block is OFFLINE_MISS naming its range, never a short answer', async () => {
  await warm(['MSFT']);
  await loseBlockOf('MSFT', '2021-03-01');
  const cache = await fx.open({ now, offline: true });
  const err = await cache.getBars({ symbol: 'MSFT', ...RANGE }).catch((e: unknown) => e);
  expect(isBarcacheError(err, ErrorCode.OFFLINE_MISS), `got ${String(err)}`).toBe(true);
  const missing = (err as { details: { missing: { start: number; end: number }[] } }).details.missing;
  expect(missing.some((r) => r.start <= utc('2021-03-01') && r.end > utc('2021-03-01'))).toBe(true);
  expect(cache.stats().l2.corruptBlocks).toBe(1);
  // The other years are still served from disk.
  const other = await cache.getBars({ symbol: 'MSFT', interval: '1d', start: '2023-01-03', end: '2023-12-29' });
  expect(other).toEqual(truth('MSFT').filter((b) => b.time >= utc('2023-01-03') && b.time <= utc('2023-12-29')));
});

it('a series meta with a digit changed (still valid JSON) is absent: refetched online, OFFLINE_MISS offline', async () => {
  await warm(['IBM', 'KO']);
  // Move each ledger end by a digit, as a flipped bit in a number would.
  const db = new Level<string, string>(path.join(fx.dir, 'db'));
  const metas = db.sublevel<string, string>('meta', { valueEncoding: 'utf8' });
  for await (const [id, stored] of metas.iterator()) {
    const edited = stored.replace(/"end":(\d)/, (_m, d: string) => `"end":${(Number(d) + 1) % 10}`);
    expect(edited).not.toBe(stored);
    JSON.parse(edited.slice(edited.indexOf('{')));
    await metas.put(id, edited);
  }
  await db.close();

  const offline = await fx.open({ now, offline: true });
  const err = await offline.getBars({ symbol: 'KO', ...RANGE }).catch((e: unknown) => e);
  expect(isBarcacheError(err, ErrorCode.OFFLINE_MISS), `got ${String(err)}`).toBe(true);
  expect(await offline.listSeries()).toEqual([]);
  await offline.close();

  const calls = fx.calls('IBM');
  const cache = await fx.open({ now });
  expect(await cache.getBars({ symbol: 'IBM', ...RANGE })).toEqual(truth('IBM'));
  expect(fx.calls('IBM')).toBeGreaterThan(calls);
});
