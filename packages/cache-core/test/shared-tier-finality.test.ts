/**
 * Pieces served from Redis carry the publisher's finality: the local ledger records them exactly
 * as Redis's ledger has them (final stays final), so a later read of final bars costs no Redis
 * round trip and no provider call, whatever this worker's own settle delay is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, makeTempDir, startCacheOnServer, startRedisServer, type CacheOnServer, type RedisServer, type TempDir } from '@barcache/test-support';

const available = hasRedisServer();
const DAY = 86_400_000;

/** Every command Redis has run so far (INFO commandstats), minus the INFO calls themselves. */
function commandsRun(redis: RedisServer): number {
  let n = 0;
  for (const m of redis.cli('INFO', 'commandstats').matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) if (m[1] !== 'info') n += Number(m[2]);
  return n;
}

describe.skipIf(!available)('shared tier: finality of pieces from Redis', () => {
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

  it('bars final in Redis stay final locally: a second read makes no Redis round trip and no provider call', async () => {
    let t = Date.parse('2025-03-03T21:00:00Z');
    const now = () => t;
    const want = { symbol: 'AAPL', interval: '1d' as const, start: '2025-01-02', end: '2025-02-28' };
    const dir = () => {
      const d = makeTempDir('barcache-finality-');
      dirs.push(d);
      return d.path;
    };
    // The publisher: Yahoo's settle delay (15 min): everything up to 2 March is final.
    const publisher = await fx.open({ dir: dir(), shared: { url: redis.url }, now });
    await publisher.getBars(want);
    expect(fx.calls('AAPL')).toBe(1);
    // A worker whose provider settles later (3 days) reads it from Redis: 0 provider calls.
    const reader = await fx.open({ dir: dir(), shared: { url: redis.url }, now, provider: fx.provider({ limits: { settleDelayMs: 3 * DAY } }) });
    const first = await reader.getBars(want);
    expect(fx.calls('AAPL')).toBe(1);
    expect(reader.stats().shared!.hits).toBe(1);
    // Past the provisional TTL, the same final bars again: the local ledger has them final, as Redis does.
    t += 10 * 60_000;
    const before = commandsRun(redis);
    expect(await reader.getBars(want)).toEqual(first);
    expect(commandsRun(redis) - before, 'Redis round trips on the second read').toBe(0);
    expect(fx.calls('AAPL'), 'provider calls on the second read').toBe(1);
    const info = (await reader.listSeries()).find((s) => s.symbol === 'AAPL')!;
    expect(info.covered[0]!.start).toBe(Date.parse('2025-01-01T00:00:00Z'));
  }, 60_000);
});
