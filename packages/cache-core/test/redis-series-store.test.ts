/**
 * The shared tier's Redis I/O against real Redis servers (Debian's redis-server, started by the
 * test on a free loopback port), single and clustered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from '@barcache/test-support';
import { BarColumns } from '../src/bar-columns.js';
import { encodeBlock } from '../src/tiers/disk/bar-block-codec.js';
import { RedisSeriesStore, SharedTierFault } from '../src/tiers/shared/redis-series-store.js';
import { emptySharedMeta } from '../src/tiers/shared/shared-meta.js';
import { resolveSharedOptions } from '../src/tiers/shared/shared-options.js';
import { dailyBars } from './store-contract.js';

const Y2020 = Date.UTC(2020, 0, 1);
const Y2021 = Date.UTC(2021, 0, 1);
const ID = 'yahoo|AAPL|1d';
const available = hasRedisServer();
if (!available) console.log('redis-series-store: SKIPPED: redis-server is not installed (apt-get install redis-server)');

function storeFor(url: string, extra: Record<string, unknown> = {}): RedisSeriesStore {
  return new RedisSeriesStore(resolveSharedOptions({ url, leaseTtlMs: 500, commandTimeoutMs: 1000, ...extra }, {})!);
}

function contract(name: string, start: () => Promise<{ url: string; cluster: boolean; stop(): Promise<void> }>) {
  describe.skipIf(!available)(`RedisSeriesStore on ${name}`, () => {
    let server: { url: string; cluster: boolean; stop(): Promise<void> };
    let store: RedisSeriesStore;
    beforeAll(async () => {
      server = await start();
      store = storeFor(server.url, { cluster: server.cluster });
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      await server?.stop();
    });

    it('publishes blocks and meta under the lease and reads them back', async () => {
      const id = `${ID}-${name}-rw`;
      const bars = dailyBars(Y2020, 250);
      const token = (await store.tryLease(id))!;
      expect(token).toBeGreaterThan(0);
      const meta = { ...emptySharedMeta(id), version: 1, ledger: { final: [{ start: Y2020, end: Y2021 }], provisional: [] } };
      const bytes = encodeBlock(BarColumns.fromBars(bars));
      expect(await store.publish(id, token, meta, [{ start: Y2020, bytes }], [])).toBe(true);
      await store.releaseLease(id, token);
      const read = await store.readMeta(id);
      expect(read).toEqual(meta);
      const blocks = await store.readBlocks(id, [Y2020]);
      expect(blocks.corrupt).toEqual([]);
      expect(blocks.blocks.get(Y2020)!.toBars()).toEqual(bars);
      expect(blocks.bytes).toBe(bytes.length);
    });

    it('grants the lease to one holder at a time, with growing fencing tokens, and fences a stale holder off', async () => {
      const id = `${ID}-${name}-lease`;
      const first = (await store.tryLease(id))!;
      expect(await store.tryLease(id)).toBeUndefined();
      // The holder stalls past the lease: it expires, another takes it with a larger token.
      await new Promise((r) => setTimeout(r, 700));
      const second = (await store.tryLease(id))!;
      expect(second).toBeGreaterThan(first);
      const meta = emptySharedMeta(id);
      expect(await store.publish(id, first, { ...meta, version: 9 }, [], [])).toBe(false);
      expect(await store.readMeta(id)).toBeUndefined();
      expect(await store.extendLease(id, first)).toBe(false);
      expect(await store.extendLease(id, second)).toBe(true);
      await store.releaseLease(id, first); // not the holder: no effect
      expect(await store.tryLease(id)).toBeUndefined();
      await store.releaseLease(id, second);
      expect(await store.tryLease(id)).toBeGreaterThan(second);
    });

    it('drops a block that fails its checksum or is missing, and a meta that fails its checksum', async () => {
      const id = `${ID}-${name}-corrupt`;
      const token = (await store.tryLease(id))!;
      const bytes = encodeBlock(BarColumns.fromBars(dailyBars(Y2020, 20)));
      const damaged = Uint8Array.from(bytes);
      damaged[20] = damaged[20]! ^ 0x55;
      await store.publish(id, token, { ...emptySharedMeta(id), version: 1 }, [{ start: Y2020, bytes: damaged }], []);
      const read = await store.readBlocks(id, [Y2020, Y2021]);
      expect(read.blocks.size).toBe(0);
      expect(read.corrupt.sort()).toEqual([Y2020, Y2021].sort());
      // The damaged block is gone from Redis now.
      expect((await store.readBlocks(id, [Y2020])).corrupt).toEqual([Y2020]);
      await store.releaseLease(id, token);
    });

    it('keeps two prefixes apart', async () => {
      const other = storeFor(server.url, { cluster: server.cluster, prefix: 'team-b:' });
      try {
        const id = `${ID}-${name}-prefix`;
        const token = (await store.tryLease(id))!;
        await store.publish(id, token, { ...emptySharedMeta(id), version: 3 }, [], []);
        expect(await other.readMeta(id)).toBeUndefined();
        expect(await other.tryLease(id)).toBeGreaterThan(0);
      } finally {
        await other.close();
      }
    });
  });
}

contract('a single server', async () => {
  const s = await startRedisServer();
  return { url: s.url, cluster: false, stop: () => s.stop() };
});
contract('a 3-node cluster', async () => {
  const c: RedisCluster = await startRedisCluster();
  return { url: c.url, cluster: true, stop: () => c.stop() };
});

describe.skipIf(!available)('RedisSeriesStore faults', () => {
  it('reports an unreachable Redis as a SharedTierFault quickly, without the password', async () => {
    const server: RedisServer = await startRedisServer({ password: 's3cret-pw' });
    const url = server.url;
    await server.stop();
    const store = storeFor(url, { commandTimeoutMs: 300 });
    const started = Date.now();
    const err = await store.readMeta(ID).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SharedTierFault);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(String((err as Error).message)).not.toContain('s3cret-pw');
    expect(String((err as Error).message)).toContain('127.0.0.1');
    await store.close();
  });

  it('authenticates with the password from the URL', async () => {
    const server = await startRedisServer({ password: 'pa:ss@word' });
    const store = storeFor(server.url);
    try {
      expect(await store.readMeta(ID)).toBeUndefined();
      const anonymous = storeFor(server.url.replace(/\/\/[^@]*@/, '//'), { commandTimeoutMs: 500 });
      const err = await anonymous.readMeta(ID).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SharedTierFault);
      await anonymous.close();
    } finally {
      await store.close();
      await server.stop();
    }
  });
});
