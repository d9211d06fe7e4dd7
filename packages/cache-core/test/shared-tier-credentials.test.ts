/**
 * Credentials of the shared tier (an ACL user and password in the URL) never reach the stats
 * snapshots, the run history or stats(): neither while Redis answers nor after a fault, whose
 * message comes from the Redis client. A real redis-server with an ACL user.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, startCacheOnServer, startRedisServer, type CacheOnServer, type RedisServer } from '@barcache/test-support';

const available = hasRedisServer();
const USER = 'quantteam';
const PASSWORD = 'Hunter2-Redis-Secret';

/** Every file under `<dir>/stats`, concatenated. */
function statsFiles(dir: string): string {
  const root = join(dir, 'stats');
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.json')) out.push(readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(root);
  return out.join('\n');
}

describe.skipIf(!available)('shared tier credentials', () => {
  let redis: RedisServer;
  let fx: CacheOnServer;
  beforeAll(async () => {
    redis = await startRedisServer({ extraArgs: ['--user', USER, 'on', `>${PASSWORD}`, '~*', '&*', '+@all'] });
    fx = await startCacheOnServer();
  }, 30_000);
  afterAll(async () => {
    await fx?.dispose();
    await redis?.stop();
  });

  it('a URL with user:password: the snapshot and run history hold neither, up or down', async () => {
    const url = `redis://${USER}:${PASSWORD}@127.0.0.1:${redis.port}`;
    const cache = await fx.open({ shared: { url, commandTimeoutMs: 500 }, statsSnapshots: true, now: () => Date.parse('2025-03-03T21:00:00Z') });
    await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-03-28' });
    // It did reach Redis with those credentials (a publish), so the test is about a working URL.
    expect(cache.stats().shared!.publishes).toBe(1);
    await redis.kill();
    await cache.getBars({ symbol: 'MSFT', interval: '1d', start: '2024-01-02', end: '2024-03-28' });
    const s = cache.stats().shared!;
    expect(s.status).toBe('unavailable');
    expect(s.lastFault!.message.length).toBeGreaterThan(0);
    await cache.close();
    const text = statsFiles(fx.dir);
    expect(text).toContain(`redis://127.0.0.1:${redis.port}`);
    expect(text).toContain('"unavailable"');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(USER);
    expect(JSON.stringify(s)).not.toContain(PASSWORD);
    expect(JSON.stringify(s)).not.toContain(USER);
    await redis.restart();
  }, 60_000);
});
