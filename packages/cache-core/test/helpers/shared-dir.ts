import { Level } from 'level';
import path from 'node:path';
import { blockKey } from '../../src/tiers/disk/block-commit.js';
import { afterEach } from 'vitest';
import { makeTempDir, type TempDir } from '@barcache/test-support';
import { ElectedBarStore, type ElectedBarStoreOptions } from '../../src/tiers/disk/shared-dir/elected-bar-store.js';
import { startProcess } from './child-process.js';

type Child = { kill(sig?: NodeJS.Signals): boolean; exitCode: number | null; signalCode: string | null };

/** Temp dirs, stores and child processes for one test file, all cleaned up after each test. */
export function useSharedDirFixture() {
  const dirs: TempDir[] = [];
  const stores: { close(): Promise<void> }[] = [];
  const children: Child[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const s of stores.splice(0).reverse()) await s.close().catch(() => undefined);
    await Promise.all(dirs.splice(0).map((d) => d.cleanup()));
  });
  return {
    tempDir(): string {
      const tmp = makeTempDir('barcache-elect-');
      dirs.push(tmp);
      return tmp.path;
    },
    /** An open ElectedBarStore, closed after the test. */
    async opened(options: ElectedBarStoreOptions): Promise<ElectedBarStore> {
      const store = new ElectedBarStore(options);
      stores.push(store);
      await store.open();
      return store;
    },
    /** Closes `store` after the test. */
    track<T extends { close(): Promise<void> }>(store: T): T {
      stores.push(store);
      return store;
    },
    /** Kills `child` after the test if it still runs. */
    child<T extends Child>(child: T): T {
      children.push(child);
      return child;
    },
    /** test/processes/lead-store.ts on `dir` (commits `symbol` if given): a leader in another process. */
    lead(dir: string, symbol?: string) {
      const p = startProcess('lead-store.ts', symbol ? [dir, symbol] : [dir]);
      children.push(p.child);
      return p;
    },
  };
}

export const exited = (child: { once(e: 'exit', f: () => void): unknown; exitCode: number | null; signalCode: string | null }) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));

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
