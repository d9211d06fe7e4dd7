/**
 * The shared tier's Redis I/O: one series' meta and blocks, its fill lease with a fencing token,
 * and the publish that writes blocks and meta at once only while the publisher still holds the
 * lease. Works on a single server and on a Redis Cluster (every key of a series shares a hash
 * tag). `ioredis` is loaded on first use, so a cache without a shared tier never loads it.
 *
 * Every Redis failure (down, slow, full, a cluster that moved) surfaces as a `SharedTierFault`:
 * the tier counts it and carries on without Redis; it never reaches a caller of `getBars`.
 */
import type { Cluster, Redis } from 'ioredis';
import type { BarColumns } from '../../bar-columns.js';
import { decodeBlock } from '../disk/bar-block-codec.js';
import { redactSecrets, type ResolvedSharedOptions } from './shared-options.js';
import { sharedSeriesKeys, type SharedSeriesKeys } from './shared-keys.js';
import { decodeSharedMeta, encodeSharedMeta, type SharedSeriesMeta } from './shared-meta.js';

/** A Redis operation failed; the message is free of credentials. */
export class SharedTierFault extends Error {
  override readonly name = 'SharedTierFault';
}

type Client = Redis | Cluster;
type ScriptClient = Client & {
  barcachePublish(...args: (string | Buffer | number)[]): Promise<number>;
  barcacheRelease(lease: string, token: string): Promise<number>;
  barcacheExtend(lease: string, token: string, ttl: number): Promise<number>;
};

/** KEYS: lease, meta, put block keys…, del block keys…  ARGV: token, meta, nPuts, put values… */
const PUBLISH = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local n = tonumber(ARGV[3])
for i = 1, n do redis.call('SET', KEYS[2 + i], ARGV[3 + i]) end
for i = 3 + n, #KEYS do redis.call('DEL', KEYS[i]) end
redis.call('SET', KEYS[2], ARGV[2])
return 1`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export interface SharedBlockRead {
  blocks: Map<number, BarColumns>;
  /** Blocks the meta lists that are missing or fail their checksum (dropped from Redis by the read). */
  corrupt: number[];
  /** Encoded bytes read, for stats. */
  bytes: number;
}

export class RedisSeriesStore {
  readonly #options: ResolvedSharedOptions;
  #client: Promise<ScriptClient> | undefined;
  #closed = false;

  constructor(options: ResolvedSharedOptions) {
    this.#options = options;
  }

  get describe(): string {
    return `${this.#options.redactedUrl}${this.#options.cluster ? ' (cluster)' : ''}`;
  }

  keys(id: string): SharedSeriesKeys {
    return sharedSeriesKeys(this.#options.prefix, id);
  }

  /** The series' meta; undefined when Redis has none; 'corrupt' when it fails its checksum (it is deleted). */
  async readMeta(id: string): Promise<SharedSeriesMeta | undefined | 'corrupt'> {
    const k = this.keys(id);
    const text = await this.#run((c) => c.get(k.meta));
    if (text === null) return undefined;
    const meta = decodeSharedMeta(text, id);
    if (meta !== undefined) return meta;
    await this.#run((c) => c.del(k.meta));
    return 'corrupt';
  }

  async readBlocks(id: string, starts: readonly number[]): Promise<SharedBlockRead> {
    const blocks = new Map<number, BarColumns>();
    const corrupt: number[] = [];
    if (starts.length === 0) return { blocks, corrupt, bytes: 0 };
    const k = this.keys(id);
    const values = await this.#run((c) => c.mgetBuffer(...starts.map((s) => k.block(s))));
    let bytes = 0;
    starts.forEach((start, i) => {
      const value = values[i];
      if (value === null || value === undefined) {
        corrupt.push(start);
        return;
      }
      bytes += value.length;
      try {
        blocks.set(start, decodeBlock(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)));
      } catch {
        corrupt.push(start);
      }
    });
    if (corrupt.length > 0) await this.#run((c) => c.del(...corrupt.map((s) => k.block(s))));
    return { blocks, corrupt, bytes };
  }

  /** Takes the series' fill lease if nobody holds it: the fencing token, or undefined. */
  async tryLease(id: string): Promise<number | undefined> {
    const k = this.keys(id);
    const token = await this.#run((c) => c.incr(k.fence));
    const ok = await this.#run((c) => c.set(k.lease, String(token), 'PX', this.#options.leaseTtlMs, 'NX'));
    return ok === 'OK' ? token : undefined;
  }

  /** Renews a held lease; false when it expired or another holder has it now. */
  async extendLease(id: string, token: number): Promise<boolean> {
    const k = this.keys(id);
    return (await this.#run((c) => c.barcacheExtend(k.lease, String(token), this.#options.leaseTtlMs))) === 1;
  }

  async releaseLease(id: string, token: number): Promise<void> {
    const k = this.keys(id);
    await this.#run((c) => c.barcacheRelease(k.lease, String(token)));
  }

  /**
   * Writes blocks and meta in one script, only if `token` still holds the lease (a stale holder,
   * whose lease expired and passed on, cannot overwrite a newer commit). False when fenced off.
   */
  async publish(id: string, token: number, meta: SharedSeriesMeta, puts: { start: number; bytes: Uint8Array }[], dels: number[]): Promise<boolean> {
    const k = this.keys(id);
    const keys = [k.lease, k.meta, ...puts.map((p) => k.block(p.start)), ...dels.map((s) => k.block(s))];
    const args = [String(token), encodeSharedMeta(meta), String(puts.length), ...puts.map((p) => Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength))];
    return (await this.#run((c) => c.barcachePublish(keys.length, ...keys, ...args))) === 1;
  }

  /** One PING: resolves when Redis answers, else a SharedTierFault. */
  async ping(): Promise<void> {
    await this.#run((c) => c.ping());
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined) return;
    try {
      (await client).disconnect();
    } catch {
      // never connected: nothing to close
    }
  }

  async #run<T>(op: (client: ScriptClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw new SharedTierFault('the shared tier is closed');
    try {
      const client = await this.#connect();
      if (client.status !== 'ready') await waitReady(client, this.#options.commandTimeoutMs);
      return await op(client);
    } catch (err) {
      throw new SharedTierFault(redactSecrets(`Redis at ${this.describe}: ${(err as Error)?.message ?? String(err)}`, this.#options));
    }
  }

  #connect(): Promise<ScriptClient> {
    this.#client ??= this.#create();
    return this.#client;
  }

  async #create(): Promise<ScriptClient> {
    const { Redis, Cluster } = await import('ioredis');
    const o = this.#options;
    const url = new URL(o.url);
    const common = {
      username: o.username,
      password: o.password,
      // Fail fast while disconnected (the tier bypasses Redis) and reconnect in the background.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: o.commandTimeoutMs,
      connectTimeout: o.commandTimeoutMs,
      retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
      ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
    };
    const host = url.hostname;
    const port = Number(url.port || 6379);
    let client: Client;
    if (o.cluster) {
      client = new Cluster([{ host, port }], {
        redisOptions: common,
        enableOfflineQueue: false,
        clusterRetryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
      });
    } else {
      const db = Number(url.pathname.replace(/^\//, '') || 0);
      client = new Redis({ host, port, db, ...common });
    }
    // Errors are reported through the commands that fail; keep ioredis from printing them.
    client.on('error', () => undefined);
    client.defineCommand('barcachePublish', { lua: PUBLISH });
    client.defineCommand('barcacheRelease', { numberOfKeys: 1, lua: RELEASE });
    client.defineCommand('barcacheExtend', { numberOfKeys: 1, lua: EXTEND });
    return client as ScriptClient;
  }
}

/** Resolves when the client is ready; rejects after `ms` (it keeps reconnecting in the background). */
function waitReady(client: Client, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`not connected (${client.status}) after ${ms} ms`));
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
