import { Level } from 'level';
import path from 'node:path';
import { blockKey } from '../../src/tiers/disk/block-commit.js';

/** Flips bytes in one stored block by opening the raw LevelDB with `level` directly (the dir must be free). */
export async function flipBlockBytes(dir: string, id: string, blockStart: number): Promise<void> {
  const db = new Level<string, string>(path.join(dir, 'db'));
  await db.open();
  try {
    const blocks = db.sublevel<string, Uint8Array>('blocks', { valueEncoding: 'view' });
    const key = blockKey(id, blockStart);
    const value = await blocks.get(key);
    if (value === undefined) throw new Error(`no block ${key}`);
    const bytes = Uint8Array.from(value);
    const i = bytes.length >> 1;
    bytes[i] = bytes[i]! ^ 0xff;
    await blocks.put(key, bytes);
  } finally {
    await db.close();
  }
}

/** Resolves with what a promise rejects with (fails if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  return p.then(
    (v) => {
      throw new Error(`expected a rejection, got ${String(v)}`);
    },
    (e: unknown) => e as Error & { code?: string },
  );
}
