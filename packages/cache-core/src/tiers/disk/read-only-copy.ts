import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Level } from 'level';

/**
 * Opens a copy of the database at `location` made in the OS temp dir. LevelDB writes while it
 * opens (it turns its log into a table and writes a new MANIFEST), so a database on a full disk
 * cannot be opened in place; its copy can, and serves reads. The caller never writes to it and
 * removes `<location's parent>` when done. Throws when the copy cannot be made or opened.
 */
export async function openReadOnlyCopy(location: string): Promise<{ db: Level<string, string>; location: string }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'barcache-readonly-'));
  try {
    const copy = path.join(tmp, 'db');
    await cp(location, copy, { recursive: true, filter: (src) => path.basename(src) !== 'LOCK' });
    const db = new Level<string, string>(copy, { keyEncoding: 'utf8', valueEncoding: 'utf8', createIfMissing: false });
    await db.open();
    return { db, location: copy };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
}
