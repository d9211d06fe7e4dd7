/**
 * Refuses a cache dir on a network filesystem. LevelDB's lock (fcntl) is not reliable across
 * machines on NFS/SMB, and a unix socket there reaches only processes on the same machine: two
 * machines would each elect a leader and write one database. Linux only (statfs `f_type` magic
 * numbers are stable there); elsewhere nothing is refused.
 */
import { statfs } from 'node:fs/promises';
import { BarcacheError, ErrorCode } from '../../../errors.js';

/** Linux statfs magic numbers of network and cluster filesystems (linux/magic.h and the fs sources). */
export const NETWORK_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x6969, 'nfs'],
  [0x517b, 'smb'],
  [0xff534d42, 'cifs'],
  [0xfe534d42, 'smb2'],
  [0x73757245, 'coda'],
  [0x5346414f, 'afs'],
  [0x6b414653, 'afs'],
  [0x01021997, '9p'],
  [0x00c36400, 'ceph'],
  [0x564c, 'ncp'],
  [0x0bd00bd0, 'lustre'],
  [0x01161970, 'gfs2'],
  [0x7461636f, 'ocfs2'],
  [0x47504653, 'gpfs'],
  [0xbacbacbc, 'vmhgfs'],
]);

/** The network filesystem's name for a statfs type, or undefined for a local one. */
export function networkFilesystemName(type: number | bigint, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform !== 'linux') return undefined;
  // Node reports f_type as a signed or unsigned number depending on the platform's type.
  return NETWORK_FILESYSTEMS.get(Number(BigInt.asUintN(32, BigInt(type))));
}

/** Throws UNSUPPORTED_FILESYSTEM when `dir` is on a network filesystem. */
export async function assertLocalFilesystem(dir: string): Promise<void> {
  let type: number;
  try {
    type = (await statfs(dir)).type;
  } catch {
    return; // statfs unavailable: nothing to tell
  }
  const name = networkFilesystemName(type);
  if (name !== undefined) {
    throw new BarcacheError(
      ErrorCode.UNSUPPORTED_FILESYSTEM,
      `Cache dir ${dir} is on a network filesystem (${name}); Barcache needs a local disk (LevelDB's lock and the leader's socket do not work across machines). Use a local dir (BARCACHE_DIR).`,
      { details: { dir, filesystem: name, type } },
    );
  }
}
