/**
 * Turns what LevelDB and the file system throw into Barcache's coded errors, each naming the
 * path concerned: STORE_CORRUPT (the database will not open or a table is damaged), DISK_FULL
 * and PERMISSION_DENIED (read-only dir, no rights, or a file where the cache dir should be).
 * Pure: it inspects errors, it does no I/O.
 */
import { BarcacheError, ErrorCode, isBarcacheError } from '../../errors.js';

export type StoreFailureKind = 'corrupt' | 'full' | 'denied' | 'not-a-directory';

/** Every error in the `cause` chain, outermost first. */
function chain(err: unknown): { code?: unknown; message?: unknown }[] {
  const out: { code?: unknown; message?: unknown }[] = [];
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e && out.length < 8; e = e.cause as typeof e) {
    if (typeof e !== 'object') break;
    out.push(e);
  }
  return out;
}

/**
 * What kind of store failure `err` is, or undefined when it is none of them. `atOpen`: LevelDB
 * reports a CURRENT naming a missing MANIFEST as an "IO error … No such file or directory", which
 * at open means a damaged database.
 */
export function classifyStoreFailure(err: unknown, atOpen = false): StoreFailureKind | undefined {
  for (const e of chain(err)) {
    const code = typeof e.code === 'string' ? e.code : '';
    const msg = typeof e.message === 'string' ? e.message : '';
    if (code === 'ENOSPC' || code === 'EDQUOT' || /No space left on device|Disk quota exceeded/i.test(msg)) return 'full';
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || /Permission denied|Read-only file system|Operation not permitted/i.test(msg)) {
      return 'denied';
    }
    if (code === 'EEXIST' || code === 'ENOTDIR' || /Not a directory/i.test(msg)) return 'not-a-directory';
    if (code === 'LEVEL_CORRUPTION' || /^Corruption:/.test(msg) || /create_if_missing is false/.test(msg)) return 'corrupt';
    if (atOpen && code === 'LEVEL_IO_ERROR' && /No such file or directory/.test(msg)) return 'corrupt';
    // A database file LevelDB cannot read as it expects (a truncated table: "Invalid argument").
    if (/^IO error: .*(\d+\.(ldb|sst|log)|MANIFEST-\d+|CURRENT): /.test(msg)) return 'corrupt';
  }
  return undefined;
}

/** The innermost message of the chain (LevelDB's own words), for error messages. */
function rootMessage(err: unknown): string {
  const all = chain(err);
  for (let i = all.length - 1; i >= 0; i--) if (typeof all[i]!.message === 'string' && all[i]!.message) return all[i]!.message as string;
  return String(err);
}

export function storeCorruptError(dir: string, cause: unknown): BarcacheError {
  return new BarcacheError(
    ErrorCode.STORE_CORRUPT,
    `The cache database in ${dir} is damaged (${rootMessage(cause)}). ` +
      `Repair it with \`barcache repair --dir ${dir}\` or openCache({ dir, repair: true }): LevelDB's own repair first, ` +
      'and if that fails the old database is moved aside (never deleted) and a fresh one started.',
    { cause, details: { dir } },
  );
}

export function diskFullError(path: string, cause: unknown): BarcacheError {
  return new BarcacheError(
    ErrorCode.DISK_FULL,
    `No space left on the disk holding ${path}: nothing new was stored (what is stored is unchanged and still readable). Free some space and try again.`,
    { cause, details: { path } },
  );
}

export function permissionDeniedError(path: string, cause: unknown, notADirectory = false): BarcacheError {
  const why = notADirectory
    ? `${path} is a file, not a directory: the cache dir cannot be created there. Choose another --dir.`
    : `No permission to write the cache at ${path} (read-only dir or file system, or owned by another user).`;
  return new BarcacheError(ErrorCode.PERMISSION_DENIED, why, {
    cause,
    details: { path, ...(notADirectory ? { reason: 'not a directory' } : {}) },
  });
}

/**
 * `err` as a coded error naming `path` (the cache dir) when it is a store failure; otherwise `err`
 * unchanged. BarcacheErrors pass through.
 */
export function toStoreError(err: unknown, path: string, atOpen = false): unknown {
  if (isBarcacheError(err)) return err;
  switch (classifyStoreFailure(err, atOpen)) {
    case 'corrupt':
      return storeCorruptError(path, err);
    case 'full':
      return diskFullError(path, err);
    case 'denied':
      return permissionDeniedError(path, err);
    case 'not-a-directory':
      return permissionDeniedError(path, err, true);
    default:
      return err;
  }
}
