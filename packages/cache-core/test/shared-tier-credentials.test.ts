/**
 * Credentials of the shared tier (an ACL user and password in the URL) never reach the stats
 * snapshots, the run history or stats(): neither while Redis answers nor after a fault, whose
 * message comes from the Redis client. A real redis-server with an ACL user.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, makeTempDir, startCacheOnServer, startRedisServer, type CacheOnServer, type RedisServer } from '@barcache/test-support';

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

  it('credentials from the environment work, and a wrong password never shows in a message', async () => {
    const saved = { u: process.env.BARCACHE_SHARED_USERNAME, p: process.env.BARCACHE_SHARED_PASSWORD };
    const faults: string[] = [];
    try {
      process.env.BARCACHE_SHARED_USERNAME = USER;
      process.env.BARCACHE_SHARED_PASSWORD = PASSWORD;
      const good = await fx.open({ shared: { url: redis.url }, now: () => Date.parse('2025-03-03T21:00:00Z') });
      expect((await good.checkShared!())!.status).toBe('ok');
      await good.close();
      process.env.BARCACHE_SHARED_PASSWORD = 'Wrong-Secret-Value';
      const bad = await fx.open({ shared: { url: redis.url }, onSharedFault: (f) => faults.push(`${f.location} ${f.message}`) });
      const s = (await bad.checkShared!())!;
      expect(s.status).toBe('unavailable');
      expect(faults).toHaveLength(1);
      for (const text of [...faults, JSON.stringify(s)]) {
        expect(text).not.toContain('Wrong-Secret-Value');
        expect(text).not.toContain(PASSWORD);
      }
      await bad.close();
    } finally {
      if (saved.u === undefined) delete process.env.BARCACHE_SHARED_USERNAME;
      else process.env.BARCACHE_SHARED_USERNAME = saved.u;
      if (saved.p === undefined) delete process.env.BARCACHE_SHARED_PASSWORD;
      else process.env.BARCACHE_SHARED_PASSWORD = saved.p;
    }
  }, 60_000);

  it('a key prefix keeps two teams apart: team B does not read team A\'s bars', async () => {
    const url = `redis://${USER}:${PASSWORD}@127.0.0.1:${redis.port}`;
    const now = () => Date.parse('2025-03-03T21:00:00Z');
    const want = { symbol: 'PEP', interval: '1d' as const, start: '2024-01-02', end: '2024-03-28' };
    const dirA = makeTempDir('barcache-team-a-');
    const dirB = makeTempDir('barcache-team-b-');
    const dirA2 = makeTempDir('barcache-team-a2-');
    try {
      const a = await fx.open({ dir: dirA.path, shared: { url, prefix: 'team-a:' }, now });
      await a.getBars(want);
      const before = fx.calls('PEP');
      const b = await fx.open({ dir: dirB.path, shared: { url, prefix: 'team-b:' }, now });
      await b.getBars(want);
      expect(fx.calls('PEP') - before, 'team B asks the provider').toBe(1);
      expect(b.stats().shared!.hits).toBe(0);
      const a2 = await fx.open({ dir: dirA2.path, shared: { url, prefix: 'team-a:' }, now });
      await a2.getBars(want);
      expect(fx.calls('PEP') - before, 'team A\'s second worker reads Redis').toBe(1);
      expect(a2.stats().shared!.hits).toBe(1);
    } finally {
      await fx.closeCaches();
      for (const d of [dirA, dirB, dirA2]) await d.cleanup();
    }
  }, 60_000);
});
