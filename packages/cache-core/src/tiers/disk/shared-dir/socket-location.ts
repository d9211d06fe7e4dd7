/**
 * Where the leader's socket lives, and `<dir>/leader.json`, the record that tells followers where
 * to find it (see docs/store-protocol.md, "Where the socket is").
 *
 * - `<dir>/leader.sock` when that path fits in a unix socket address (sun_path holds 107 bytes on
 *   Linux, 103 on macOS; we keep ≤ 96 so the temporary name used while binding fits too).
 * - Otherwise `<runtime>/barcache-<uid>/<sha256(dir) prefix>.sock`, where runtime is
 *   $XDG_RUNTIME_DIR, else the OS temp dir. That folder is created 0700 and must be owned by us
 *   and closed to others (refused otherwise).
 * - Windows: the named pipe `\\.\pipe\barcache-<hash>`.
 * Followers never recompute the path: they read it from leader.json, so processes with different
 * environments (a terminal and an editor) still meet.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BarcacheError, ErrorCode } from '../../../errors.js';

export const LEADER_FILE = 'leader.json';
export const SOCKET_NAME = 'leader.sock';
/** Longest socket path we bind (bytes), leaving room for the temporary bind name's suffix. */
export const MAX_SOCKET_PATH_BYTES = 96;

/** What the leader records in `<dir>/leader.json`. */
export interface LeaderRecord {
  pid: number;
  hostname: string;
  /** The socket (or pipe) path followers connect to. */
  socket: string;
  protocol: number;
  barcache: string;
  startedAt: number;
  /** An `exclusive` holder: it serves nobody (socket is ''); others wait `lockTimeoutMs`, then LOCKED. */
  exclusive?: boolean;
}

export function dirHash(dir: string): string {
  return createHash('sha256').update(dir).digest('hex').slice(0, 24);
}

/** The socket path for a cache dir (pure; see the module comment). */
export function socketPathFor(dir: string, options: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; uid?: number; tmpdir?: string } = {}): string {
  const platform = options.platform ?? process.platform;
  if (platform === 'win32') return `\\\\.\\pipe\\barcache-${dirHash(dir.toLowerCase())}`;
  const inDir = path.join(dir, SOCKET_NAME);
  if (Buffer.byteLength(inDir) <= MAX_SOCKET_PATH_BYTES) return inDir;
  return path.join(runtimeDir(options), `${dirHash(dir)}.sock`);
}

/** `<runtime>/barcache-<uid>`: $XDG_RUNTIME_DIR when set and short, else the temp dir (else /tmp). */
export function runtimeDir(options: { env?: NodeJS.ProcessEnv; uid?: number; tmpdir?: string } = {}): string {
  const env = options.env ?? process.env;
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const name = `barcache-${uid}`;
  // The socket name adds 30 bytes (`/` + 24 hex + `.sock`).
  const fits = (base: string | undefined): base is string => !!base && path.isAbsolute(base) && Buffer.byteLength(path.join(base, name)) + 30 <= MAX_SOCKET_PATH_BYTES;
  for (const base of [env.XDG_RUNTIME_DIR, options.tmpdir ?? os.tmpdir(), '/tmp']) if (fits(base)) return path.join(base, name);
  return path.join('/tmp', name);
}

/**
 * Makes sure the folder holding an out-of-dir socket is ours alone: created 0700, a real
 * directory (not a symlink), owned by this uid, with no group/other permissions.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw new BarcacheError(
      ErrorCode.PERMISSION_DENIED,
      `${dir} must be a directory owned by uid ${uid} with mode 0700 to hold the Barcache leader socket; it is not (mode ${(st.mode & 0o777).toString(8)}, owner ${st.uid})`,
      { details: { path: dir } },
    );
  }
}

export async function readLeaderRecord(dir: string): Promise<LeaderRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, LEADER_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as Partial<LeaderRecord>;
    if (typeof v.pid !== 'number' || typeof v.socket !== 'string') return undefined;
    return {
      pid: v.pid,
      socket: v.socket,
      hostname: typeof v.hostname === 'string' ? v.hostname : 'unknown host',
      protocol: typeof v.protocol === 'number' ? v.protocol : NaN,
      barcache: typeof v.barcache === 'string' ? v.barcache : 'unknown',
      startedAt: typeof v.startedAt === 'number' ? v.startedAt : NaN,
      ...(v.exclusive === true ? { exclusive: true } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Writes leader.json atomically (temp file renamed over it), readable by the owner only. */
export async function writeLeaderRecord(dir: string, record: LeaderRecord): Promise<void> {
  const file = path.join(dir, LEADER_FILE);
  const tmp = `${file}.${record.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/** Removes leader.json if it names `record`'s pid, host and socket (never a successor's). */
export async function removeLeaderRecord(dir: string, record: Pick<LeaderRecord, 'pid' | 'hostname' | 'socket'>): Promise<void> {
  const found = await readLeaderRecord(dir);
  if (found === undefined || found.pid !== record.pid || found.hostname !== record.hostname || found.socket !== record.socket) return;
  await unlink(path.join(dir, LEADER_FILE)).catch(() => {});
}
