import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { SNAPSHOT_FILE, statsDirOf, type StatsSnapshot } from './snapshot-schema.js';

/** Reading the live snapshots of a cache dir, telling live, closed and stale apart, and pruning old ones. */

export type SnapshotState = 'live' | 'closed' | 'stale';

export interface StatsSnapshotEntry {
  /** Absolute path of the snapshot file. */
  file: string;
  snapshot: StatsSnapshot;
  /**
   * `stale`: the process is gone (same host, `process.kill(pid, 0)` fails) or the snapshot was not
   * updated for `staleMs`; else `closed` when the process closed its cache; else `live`.
   */
  state: SnapshotState;
  stale: boolean;
  staleReason?: 'dead' | 'old';
}

export interface ReadStatsSnapshotsOptions {
  /** Epoch ms. Default Date.now(). */
  now?: number;
  /** A snapshot not updated for this long is stale. Default 30000. */
  staleMs?: number;
  /** Is a local pid alive? Default: `process.kill(pid, 0)` (EPERM counts as alive). */
  isAlive?: (pid: number) => boolean;
  /** This machine's host name; pids are only checked for snapshots from it. Default os.hostname(). */
  hostname?: string;
}

/** `process.kill(pid, 0)`: true when the process exists (even if we may not signal it). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Reads every `<dir>/stats/<pid>.json`, ascending by pid. Unreadable, unparsable, partial or
 * invalid files are skipped without throwing; a missing stats folder gives `[]`.
 */
export async function readStatsSnapshots(dir: string, options: ReadStatsSnapshotsOptions = {}): Promise<StatsSnapshotEntry[]> {
  const now = options.now ?? Date.now();
  const staleMs = options.staleMs ?? 30_000;
  const isAlive = options.isAlive ?? isPidAlive;
  const host = options.hostname ?? osHostname();
  const folder = statsDirOf(dir);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const files = names.filter((n) => SNAPSHOT_FILE.test(n)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  const entries = await Promise.all(
    files.map(async (name): Promise<StatsSnapshotEntry | undefined> => {
      const file = join(folder, name);
      let snapshot: StatsSnapshot;
      try {
        const { statsSnapshotSchema } = await import('./snapshot-validation.js');
        const parsed = statsSnapshotSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
        if (!parsed.success) return undefined;
        snapshot = parsed.data;
      } catch {
        return undefined;
      }
      let staleReason: 'dead' | 'old' | undefined;
      if (snapshot.hostname === host && !isAlive(snapshot.pid)) staleReason = 'dead';
      else if (now - snapshot.updatedAt > staleMs) staleReason = 'old';
      const state: SnapshotState = staleReason ? 'stale' : snapshot.closed ? 'closed' : 'live';
      return staleReason ? { file, snapshot, state, stale: true, staleReason } : { file, snapshot, state, stale: false };
    }),
  );
  return entries.filter((e): e is StatsSnapshotEntry => e !== undefined);
}

/**
 * Deletes stale snapshots last updated more than `maxAgeMs` ago and leftover `.tmp` files older
 * than that (a writer killed mid-write). Returns how many files went. Never throws.
 */
export async function pruneStatsSnapshots(
  dir: string,
  options: ReadStatsSnapshotsOptions & { maxAgeMs?: number } = {},
): Promise<number> {
  const now = options.now ?? Date.now();
  const maxAgeMs = options.maxAgeMs ?? 24 * 3600_000;
  let removed = 0;
  for (const e of await readStatsSnapshots(dir, options)) {
    if (e.stale && now - e.snapshot.updatedAt > maxAgeMs) {
      if (await unlink(e.file).then(() => true, () => false)) removed++;
    }
  }
  let names: string[] = [];
  try {
    names = await readdir(statsDirOf(dir));
  } catch {
    return removed;
  }
  for (const name of names.filter((n) => n.endsWith('.tmp'))) {
    const file = join(statsDirOf(dir), name);
    const st = await stat(file).catch(() => undefined);
    if (st && now - st.mtimeMs > maxAgeMs && (await unlink(file).then(() => true, () => false))) removed++;
  }
  return removed;
}

