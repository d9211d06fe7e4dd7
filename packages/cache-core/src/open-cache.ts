import path from 'node:path';
import { defaultCacheDir } from './cache-dir.js';
import { invalidArgument } from './errors.js';
import { resolveSharedOptions } from './tiers/shared/shared-options.js';
import { YahooProvider } from './provider/yahoo-provider.js';
import { StatsSnapshotWriter } from './stats/stats-snapshot.js';
import { makeDir } from './tiers/disk/make-dir.js';
import type { BarStore } from './tiers/disk/bar-store.js';
import type { BarCache, OpenCacheOptions } from './types.js';

// The cache itself, the disk store (LevelDB), the shared-dir leader/follower code, the repair and
// the Redis tier are loaded here, on first use, not when the package is imported: a user who
// passes their own provider pays at import only for what they call (docs/benchmark.md, import).

const DEFAULT_MEMORY_BYTES = 256 * 1024 * 1024;
const DEFAULT_PROVISIONAL_TTL_MS = 60_000;
const DEFAULT_LOCK_TIMEOUT_MS = 2_000;

/** The directory name that keeps a cache in memory only (tests, one-off scripts). */
export const IN_MEMORY_DIR = ':memory:';

/**
 * Opens (creating if needed) the cache in `options.dir`. Many processes (and several caches in one
 * process) may use a dir at once: the first leads and serves the database to the others, and a
 * follower takes over when the leader goes (docs/store-protocol.md). `exclusive: true` takes the
 * dir alone, waiting up to `lockTimeoutMs`, then LOCKED naming the holder.
 */
export async function openCache(options: OpenCacheOptions = {}): Promise<BarCache> {
  const memoryMaxBytes = positive(options.memory?.maxBytes, DEFAULT_MEMORY_BYTES, 'memory.maxBytes');
  const prefault: unknown = options.memory?.prefault === undefined ? true : options.memory.prefault;
  if (typeof prefault !== 'boolean') throw invalidArgument('memory.prefault must be true or false', { field: 'memory.prefault' });
  const diskMaxBytes = positive(options.disk?.maxBytes, Number.POSITIVE_INFINITY, 'disk.maxBytes');
  const provisionalTtlMs = nonNegative(options.provisionalTtlMs, DEFAULT_PROVISIONAL_TTL_MS, 'provisionalTtlMs');
  const lockTimeoutMs = nonNegative(options.lockTimeoutMs, DEFAULT_LOCK_TIMEOUT_MS, 'lockTimeoutMs');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw invalidArgument('now must be a function returning epoch ms');

  const shared = resolveSharedOptions(options.shared);
  const inMemory = options.dir === IN_MEMORY_DIR;
  const dir = inMemory ? IN_MEMORY_DIR : path.resolve(options.dir ?? defaultCacheDir());
  // Created for the owner only: other users cannot read the cache or reach its leader's socket.
  if (!inMemory) await makeDir(dir, dir, 0o700);
  if (!inMemory && options.repair === true) {
    const { repairCacheDir } = await import('./tiers/disk/store-repair.js');
    const report = await repairCacheDir({ dir, lockTimeoutMs, now });
    options.onRepair?.(report);
  }
  const label = options.processLabel ?? defaultLabel();
  const leaderTimeoutMs = options.leaderTimeoutMs === undefined ? {} : { leaderTimeoutMs: nonNegative(options.leaderTimeoutMs, 0, 'leaderTimeoutMs') };
  const [{ DefaultBarCache }, store] = await Promise.all([
    import('./cache/bar-cache.js'),
    inMemory
      ? import('./tiers/disk/memory-bar-store.js').then((m): BarStore => new m.MemoryBarStore())
      : import('./tiers/disk/shared-dir/elected-bar-store.js').then(
          (m): BarStore => new m.ElectedBarStore({ dir, lockTimeoutMs, processLabel: label, exclusive: options.exclusive === true, ...leaderTimeoutMs }),
        ),
  ]);
  await store.open();

  // Loaded only when configured: a cache without a shared tier never loads the Redis client.
  const SharedTier = shared ? (await import('./tiers/shared/shared-tier.js')).SharedTier : undefined;

  const wantSnapshots = !inMemory && options.statsSnapshots !== false;
  const cache = new DefaultBarCache({
    dir,
    store,
    provider: options.provider ?? new YahooProvider(),
    now,
    memoryMaxBytes,
    prefault,
    diskMaxBytes,
    offline: options.offline === true,
    provisionalTtlMs,
    ...(shared && SharedTier
      ? {
          upstream: (next) =>
            new SharedTier({
              next,
              options: shared,
              now,
              provisionalTtlMs,
              settleDelayMs: next.limits?.settleDelayMs ?? 0,
              onFault:
                options.onSharedFault ??
                ((fault) => process.emitWarning(`shared tier unavailable, carrying on without it: ${fault.message}`, { code: 'BARCACHE_SHARED_UNAVAILABLE' })),
            }),
        }
      : {}),
    ...(wantSnapshots ? { snapshots: (getStats) => new StatsSnapshotWriter({ dir, label, getStats }) } : {}),
  });
  try {
    await cache.init();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return cache;
}

function defaultLabel(): string {
  const script = process.argv[1] ? path.basename(process.argv[1]) : 'node';
  return [script, ...process.argv.slice(2, 4)].join(' ');
}

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw invalidArgument(`${field} must be a positive number of bytes, got ${JSON.stringify(value)}`, { field, value });
  }
  return value;
}

function nonNegative(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(`${field} must be a non-negative number of ms, got ${JSON.stringify(value)}`, { field, value });
  }
  return value;
}
