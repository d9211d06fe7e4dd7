/**
 * The election of a shared cache dir's roles (docs/store-protocol.md, "Roles and election"): lead
 * if LevelDB's lock is free, else follow the leader that leader.json names, else wait and retry.
 */
import { realpath, unlink } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { BarcacheError, ErrorCode, isBarcacheError } from '../../../errors.js';
import { LevelBarStore } from '../level-bar-store.js';
import type { ElectedBarStoreOptions } from './elected-bar-store.js';
import { RemoteBarStore } from './remote-bar-store.js';
import { readLeaderRecord, removeLeaderRecord, socketPathFor, writeLeaderRecord, type LeaderRecord } from './socket-location.js';
import { StoreServer } from './store-server.js';
import { barcacheVersion, LeaderLostError, STORE_PROTOCOL_VERSION } from './store-protocol.js';
import { exclusiveRole, followerRole, leaderRole, type StoreRole } from './store-roles.js';

/**
 * Leads if the lock is free, else follows the leader leader.json names. Retries (backing off)
 * while the lock is taken but no leader answers yet (one is starting, or an exclusive holder has
 * the dir), up to `waitMs`; then throws LOCKED naming the holder.
 */
/**
 * How long an opener waits for a leader that holds the lock but does not serve yet (it is still
 * loading its metas, say, on a loaded machine) when `lockTimeoutMs` is shorter. An `exclusive`
 * holder says so in leader.json, and then `lockTimeoutMs` alone applies.
 */
export const LEADER_START_WAIT_MS = 10_000;

export async function electRole(dir: string, o: ElectedBarStoreOptions, waitMs: number, closed: () => boolean): Promise<StoreRole> {
  const started = performance.now();
  let delay = 5;
  for (;;) {
    if (closed()) throw new BarcacheError(ErrorCode.CLOSED, `ElectedBarStore at ${dir} was closed`);
    const level = new LevelBarStore({
      dir: dir,
      lockTimeoutMs: o.exclusive ? waitMs : 0,
      ...(o.processLabel === undefined ? {} : { processLabel: o.processLabel }),
      ...(o.now === undefined ? {} : { now: o.now }),
    });
    let locked: unknown;
    try {
      await level.open();
      return o.exclusive ? await holdExclusively(dir, level) : await lead(dir, o, level);
    } catch (err) {
      if (o.exclusive || !isBarcacheError(err, ErrorCode.LOCKED)) throw err;
      locked = err;
    }
    const record = await readLeaderRecord(dir);
    if (record !== undefined && !record.exclusive) {
      if (record.hostname !== os.hostname()) {
        throw new BarcacheError(
          ErrorCode.UNSUPPORTED_FILESYSTEM,
          `Cache dir ${dir} is led by pid ${record.pid} on another machine (${record.hostname}): a cache dir cannot be shared across machines (network mount?)`,
          { details: { dir: dir, leader: record } },
        );
      }
      const remote = new RemoteBarStore({
        socketPath: record.socket,
        expectedPid: record.pid,
        ...(o.leaderTimeoutMs === undefined ? {} : { leaderTimeoutMs: o.leaderTimeoutMs }),
        ...(o.processLabel === undefined ? {} : { label: o.processLabel }),
        ...(o.protocolVersion === undefined ? {} : { protocolVersion: o.protocolVersion }),
      });
      try {
        await remote.open();
        return followerRole(remote);
      } catch (err) {
        if (!(err instanceof LeaderLostError)) throw err;
      }
    }
    const budget = record?.exclusive ? waitMs : Math.max(waitMs, LEADER_START_WAIT_MS);
    if (performance.now() - started >= budget) throw locked;
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
}

const NO_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);

async function lead(dir: string, o: ElectedBarStoreOptions, level: LevelBarStore): Promise<StoreRole> {
  const server = new StoreServer({
    dir: dir,
    store: level,
    socketPath: socketPathFor(await realpath(dir)),
    ...(o.protocolVersion === undefined ? {} : { protocolVersion: o.protocolVersion }),
  });
  try {
    await server.start();
  } catch (err) {
    await server.close().catch(() => undefined);
    // A full or read-only disk cannot take leader.json or the socket: this process keeps the
    // database to itself (read-only if the disk is full) rather than fail; others wait, then LOCKED.
    if (NO_ROOM.has((err as { code?: string }).code ?? '')) return exclusiveRole(level, async () => undefined);
    await level.close().catch(() => undefined);
    throw err;
  }
  return leaderRole(level, server);
}

/**
 * Exclusive: a leader's leftovers (we hold the lock, so they are stale) go, nobody is served, and
 * leader.json says so, so that other openers give up after their `lockTimeoutMs`.
 */
async function holdExclusively(dir: string, level: LevelBarStore): Promise<StoreRole> {
  const stale = await readLeaderRecord(dir);
  if (stale !== undefined && stale.socket !== '' && process.platform !== 'win32') await unlink(stale.socket).catch(() => undefined);
  const record: LeaderRecord = { pid: process.pid, hostname: os.hostname(), socket: '', protocol: STORE_PROTOCOL_VERSION, barcache: barcacheVersion(), startedAt: Date.now(), exclusive: true };
  try {
    await writeLeaderRecord(dir, record);
  } catch (err) {
    await level.close().catch(() => undefined);
    throw err;
  }
  return exclusiveRole(level, () => removeLeaderRecord(dir, record));
}
