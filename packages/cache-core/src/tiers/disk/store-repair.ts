/**
 * The way out of a damaged cache database, never deleting silently:
 * 1. check it: open it and read every key and value (a damaged table shows only when read);
 * 2. if damaged: LevelDB's own repair (`ClassicLevel.repair`: rebuilds the MANIFEST from the
 *    table and log files it can read, and moves what it cannot read into `db/lost/`), then check
 *    again;
 * 3. if it is still damaged: move the database aside to `<dir>/db-damaged-<UTC timestamp>` and
 *    start a fresh one. The old folder is left for the user to inspect or delete.
 * What LevelBarStore then finds missing (blocks a meta lists, metas that fail their checksum) is
 * refetched by the cache, like any corrupt block.
 */
import { readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import { isBarcacheError, ErrorCode } from '../../errors.js';
import { databaseDir, LevelBarStore } from './level-bar-store.js';
import { toStoreError } from './store-failure.js';

export interface RepairReport {
  /** The cache dir. */
  dir: string;
  /**
   * 'healthy': nothing to do; 'none': there is no database yet; 'repaired': LevelDB's repair made
   * it readable; 'moved-aside': the repair failed, the old database was moved to `movedTo` and a
   * fresh one started.
   */
  action: 'healthy' | 'none' | 'repaired' | 'moved-aside';
  /** What was wrong before (LevelDB's words), when something was. */
  problem?: string;
  /** Why LevelDB's repair did not do (for 'moved-aside'). */
  repairFailure?: string;
  /** Where the damaged database went (for 'moved-aside'). */
  movedTo?: string;
  /** Files LevelDB's repair could not read and moved into `<dir>/db/lost/` (for 'repaired'). */
  lostFiles?: string[];
  /** Keys in the database after the repair (metas and blocks). */
  keys: number;
}

export interface RepairOptions {
  dir: string;
  /** Clock for the moved-aside folder's name. Default: Date.now. */
  now?: () => number;
  /** How long to wait for another process to let go of the dir (LOCKED after). Default 2000 ms. */
  lockTimeoutMs?: number;
}

interface LevelStatics {
  repair(location: string): Promise<void>;
}

/** Checks the database in `dir` and repairs it if it needs it. Throws LOCKED if another process holds it. */
export async function repairCacheDir(options: RepairOptions): Promise<RepairReport> {
  const dir = path.resolve(options.dir);
  const location = databaseDir(dir);
  const now = options.now ?? Date.now;
  if (!(await exists(location))) return { dir, action: 'none', keys: 0 };

  const first = await checkDatabase(dir, options.lockTimeoutMs);
  if (first.ok) return { dir, action: 'healthy', keys: first.keys };
  const problem = first.problem;

  const lostBefore = new Set(await listLost(location));
  let repairFailure: string;
  try {
    await (Level as unknown as LevelStatics).repair(location);
    const second = await checkDatabase(dir, options.lockTimeoutMs);
    if (second.ok) {
      const lostFiles = (await listLost(location)).filter((f) => !lostBefore.has(f));
      return { dir, action: 'repaired', problem, keys: second.keys, ...(lostFiles.length > 0 ? { lostFiles } : {}) };
    }
    repairFailure = second.problem;
  } catch (err) {
    if (isBarcacheError(err, ErrorCode.LOCKED)) throw err;
    repairFailure = messageOf(err);
  }

  const movedTo = await freeName(path.join(dir, `db-damaged-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`));
  await rename(location, movedTo);
  const fresh = new LevelBarStore({ dir, ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }) });
  await fresh.open();
  await fresh.close();
  return { dir, action: 'moved-aside', problem, repairFailure, movedTo, keys: 0 };
}

/** Opens the store and reads every key and value. LOCKED (and anything not about damage) is thrown. */
async function checkDatabase(dir: string, lockTimeoutMs: number | undefined): Promise<{ ok: true; keys: number } | { ok: false; problem: string }> {
  const store = new LevelBarStore({ dir, readOnlyWhenFull: false, ...(lockTimeoutMs === undefined ? {} : { lockTimeoutMs }) });
  try {
    await store.open();
  } catch (err) {
    if (isBarcacheError(err, ErrorCode.STORE_CORRUPT)) return { ok: false, problem: messageOf(err.cause ?? err) };
    throw err;
  }
  await store.close();
  // The store is closed (and the lock free again): read everything with LevelDB directly.
  const db = new Level<string, Uint8Array>(databaseDir(dir), { keyEncoding: 'utf8', valueEncoding: 'view', createIfMissing: false });
  try {
    await db.open();
    let keys = 0;
    for await (const [, value] of db.iterator()) if (value !== undefined) keys++;
    return { ok: true, keys };
  } catch (err) {
    const coded = toStoreError(err, dir, true);
    if (isBarcacheError(coded, ErrorCode.STORE_CORRUPT)) return { ok: false, problem: messageOf(err) };
    throw coded;
  } finally {
    await db.close().catch(() => undefined);
  }
}

function messageOf(err: unknown): string {
  let e = err as { message?: unknown; cause?: unknown } | undefined;
  let msg = String(err);
  for (let i = 0; e && typeof e === 'object' && i < 6; i++, e = e.cause as typeof e) if (typeof e.message === 'string') msg = e.message;
  return msg;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function listLost(location: string): Promise<string[]> {
  return readdir(path.join(location, 'lost')).catch(() => []);
}

async function freeName(base: string): Promise<string> {
  for (let i = 0; ; i++) {
    const candidate = i === 0 ? base : `${base}-${i}`;
    if (!(await exists(candidate))) return candidate;
  }
}
