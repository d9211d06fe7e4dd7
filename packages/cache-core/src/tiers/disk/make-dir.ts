import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { toStoreError } from './store-failure.js';

/**
 * `mkdir -p` that fails with a coded error naming `dir` (`reportAs`, default `dir`): PERMISSION_DENIED
 * for a read-only or foreign dir or a file in the way, DISK_FULL. Node's recursive mkdir reports
 * ENOENT on a read-only file system; the real cause is found by creating the first missing
 * component on its own.
 */
export async function makeDir(dir: string, reportAs = dir, mode?: number): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, ...(mode === undefined ? {} : { mode }) });
  } catch (err) {
    let cause = err;
    if ((err as { code?: unknown }).code === 'ENOENT') cause = (await firstMissingError(dir)) ?? err;
    throw toStoreError(cause, reportAs, true);
  }
}

async function firstMissingError(dir: string): Promise<unknown> {
  const parts: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    parts.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of parts) {
    try {
      await mkdir(p);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'EEXIST') continue;
      return err;
    }
  }
  return undefined;
}
