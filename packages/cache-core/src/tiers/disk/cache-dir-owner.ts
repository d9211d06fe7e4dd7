/**
 * `<dir>/owner.json`: who holds a cache dir open. LevelDB allows one process per directory; the
 * holder writes this file right after opening and removes it on close, so a second process that
 * finds the database locked can say who holds it.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const OWNER_FILE = 'owner.json';

export interface CacheDirOwner {
  pid: number;
  hostname: string;
  /** What the holder is (a label such as 'barcache warm', else its command line). */
  command: string;
  /** Epoch ms when it opened the cache dir. */
  startedAt: number;
}

/** This process as an owner record. */
export function currentOwner(options: { command?: string; now?: () => number } = {}): CacheDirOwner {
  const command = options.command ?? [path.basename(process.argv0 || process.execPath), ...process.argv.slice(1)].join(' ');
  return {
    pid: process.pid,
    hostname: os.hostname(),
    command: command.length > 300 ? `${command.slice(0, 297)}...` : command,
    startedAt: (options.now ?? Date.now)(),
  };
}

/** Writes `<dir>/owner.json` atomically (a temp file renamed over it). */
export async function writeOwner(dir: string, owner: CacheDirOwner): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, OWNER_FILE);
  const tmp = `${file}.${owner.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(owner, null, 2)}\n`);
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/** The recorded holder, or undefined when there is no (readable) owner file. */
export async function readOwner(dir: string): Promise<CacheDirOwner | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, OWNER_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as Partial<CacheDirOwner>;
    if (typeof v.pid !== 'number') return undefined;
    return {
      pid: v.pid,
      hostname: typeof v.hostname === 'string' ? v.hostname : 'unknown host',
      command: typeof v.command === 'string' ? v.command : 'unknown command',
      startedAt: typeof v.startedAt === 'number' ? v.startedAt : NaN,
    };
  } catch {
    return undefined;
  }
}

/** Removes the owner file if it names `owner` (same pid and host); leaves anyone else's alone. */
export async function removeOwner(dir: string, owner: Pick<CacheDirOwner, 'pid' | 'hostname'>): Promise<void> {
  const found = await readOwner(dir);
  if (found === undefined || found.pid !== owner.pid || found.hostname !== owner.hostname) return;
  await unlink(path.join(dir, OWNER_FILE)).catch(() => {});
}

/** "pid 1234 on host (barcache warm), since 2024-10-01T12:00:00.000Z" */
export function describeOwner(owner: CacheDirOwner | undefined): string {
  if (owner === undefined) return 'an unknown process (no owner.json)';
  const since = Number.isFinite(owner.startedAt) ? `, since ${new Date(owner.startedAt).toISOString()}` : '';
  return `pid ${owner.pid} on ${owner.hostname} (${owner.command})${since}`;
}
