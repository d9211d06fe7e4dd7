import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, type TempDir } from '@barcache/test-support';
import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { isBarcacheError, type BarcacheError } from '../src/errors.js';
import { blockKey } from '../src/tiers/disk/block-commit.js';
import { OWNER_FILE, type CacheDirOwner } from '../src/tiers/disk/cache-dir-owner.js';
import { LevelBarStore, type LevelBatchOp } from '../src/tiers/disk/level-bar-store.js';
import { dailyBars, makeMeta, runStoreContract } from './store-contract.js';

const tempDirs: TempDir[] = [];
async function tempDir(): Promise<string> {
  const dir = makeTempDir('barcache-level-');
  tempDirs.push(dir);
  return dir.path;
}
afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((d) => d.cleanup()));
});

/** Flips bytes in one stored block by opening the raw LevelDB with `level` directly. */
async function flipBlockBytes(dir: string, id: string, blockStart: number): Promise<void> {
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

runStoreContract('LevelBarStore', async () => {
  const dir = await tempDir();
  let store = new LevelBarStore({ dir });
  await store.open();
  const fx = {
    store,
    async corrupt(id: string, blockStart: number) {
      await store.close();
      await flipBlockBytes(dir, id, blockStart);
      await store.open();
    },
    async reopen() {
      await store.close();
      store = new LevelBarStore({ dir });
      await store.open();
      fx.store = store;
      return store;
    },
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fx;
});

async function openError(store: LevelBarStore): Promise<BarcacheError> {
  const err = await store.open().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBarcacheError(err)) throw new Error(`expected a BarcacheError, got ${String(err)}`);
  return err;
}

const HOLDER_SCRIPT = fileURLToPath(new URL('./fixtures/hold-cache-dir.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Starts a second OS process that holds `dir`; resolves once it has opened the store. */
async function spawnHolder(dir: string, label: string): Promise<{ child: ChildProcessWithoutNullStreams; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER_SCRIPT, dir, label], { cwd: REPO_ROOT, stdio: 'pipe' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    void exited.then((code) => reject(new Error(`holder exited early (${code}): ${stderr}`)));
    setTimeout(() => reject(new Error(`holder did not start: ${stderr}`)), 20_000).unref();
  });
  return { child, exited };
}

describe('LevelBarStore: layout and owner file', () => {
  it('keeps the database in <dir>/db and names the holder in <dir>/owner.json while open', async () => {
    const dir = await tempDir();
    const store = new LevelBarStore({ dir, now: () => 1234, processLabel: 'unit test' });
    await store.open();
    expect(existsSync(path.join(dir, 'db'))).toBe(true);
    const owner = JSON.parse(await readFile(path.join(dir, OWNER_FILE), 'utf8')) as CacheDirOwner;
    expect(owner).toEqual({ pid: process.pid, hostname: os.hostname(), command: 'unit test', startedAt: 1234 });
    await store.close();
    expect(existsSync(path.join(dir, OWNER_FILE))).toBe(false);
  });
});

describe('LevelBarStore: locking', () => {
  it('a second in-process instance gets LOCKED naming the holder, after a bounded wait', async () => {
    const dir = await tempDir();
    const first = new LevelBarStore({ dir, processLabel: 'first instance' });
    await first.open();
    const second = new LevelBarStore({ dir, lockTimeoutMs: 300 });
    const t0 = performance.now();
    const err = await openError(second);
    const waited = performance.now() - t0;
    expect(err.code).toBe('LOCKED');
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(3000);
    const holder = err.details.holder as CacheDirOwner;
    expect(holder.pid).toBe(process.pid);
    expect(holder.command).toBe('first instance');
    expect(err.message).toContain(`pid ${process.pid}`);
    expect(err.message).toContain('first instance');
    expect((err.cause as { cause?: { code?: string } }).cause?.code).toBe('LEVEL_LOCKED');
    expect(second.status).toBe('closed');
    // The holder is unaffected, and the lock is free once it closes.
    await first.commit({ meta: makeMeta() });
    await first.close();
    await second.open();
    expect((await second.listMeta()).length).toBe(1);
    await second.close();
  });

  it('waits for the holder to let go when it does so within lockTimeoutMs', async () => {
    const dir = await tempDir();
    const first = new LevelBarStore({ dir });
    await first.open();
    const second = new LevelBarStore({ dir, lockTimeoutMs: 5000 });
    setTimeout(() => void first.close(), 150);
    const t0 = performance.now();
    await second.open();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    await second.close();
  });

  it('a second OS process gets LOCKED naming the holder pid and command', async () => {
    const dir = await tempDir();
    const { child, exited } = await spawnHolder(dir, 'holder-process');
    try {
      const store = new LevelBarStore({ dir, lockTimeoutMs: 400 });
      const t0 = performance.now();
      const err = await openError(store);
      const waited = performance.now() - t0;
      expect(err.code).toBe('LOCKED');
      const holder = err.details.holder as CacheDirOwner;
      expect(holder.pid).toBe(child.pid);
      expect(holder.pid).not.toBe(process.pid);
      expect(holder.command).toBe('holder-process');
      expect(holder.hostname).toBe(os.hostname());
      expect(err.message).toContain(`pid ${child.pid}`);
      expect(waited).toBeGreaterThanOrEqual(350);
      expect(waited).toBeLessThan(5000);
    } finally {
      child.stdin.end('close\n');
      expect(await exited).toBe(0);
    }
    // Released cleanly: owner file gone, and we can open.
    expect(existsSync(path.join(dir, OWNER_FILE))).toBe(false);
    const store = new LevelBarStore({ dir, lockTimeoutMs: 2000 });
    await store.open();
    await store.close();
  });
});

/** A store whose next batch gets an extra, invalid operation: LevelDB must reject it whole. */
class FailingBatchStore extends LevelBarStore {
  failNext = false;
  protected override async _writeBatch(ops: LevelBatchOp[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      ops = [...ops, { type: 'put', key: null as unknown as string, value: 'x', sublevel: undefined }];
    }
    await super._writeBatch(ops);
  }
}

describe('LevelBarStore: atomic commits', () => {
  it('a commit whose batch fails changes neither meta nor blocks (in memory or on disk)', async () => {
    const dir = await tempDir();
    const store = new FailingBatchStore({ dir });
    await store.open();
    const Y2020 = Date.UTC(2020, 0, 1);
    const Y2021 = Date.UTC(2021, 0, 1);
    const a = makeMeta({ symbol: 'A' });
    const b = makeMeta({ symbol: 'B' });
    const original = dailyBars(Y2020, 30);
    await store.commit({ meta: a, put: new Map([[Y2020, BarColumns.fromBars(original)]]) });
    const metaBefore = await store.listMeta();
    const bytesBefore = await store.totalBytes();

    store.failNext = true;
    await expect(
      store.commitMany([
        {
          meta: { ...a, ledger: { final: [{ start: 0, end: 1 }], provisional: [] } },
          put: new Map([[Y2020, BarColumns.fromBars(dailyBars(Y2020, 5, 1))], [Y2021, BarColumns.fromBars(dailyBars(Y2021, 5))]]),
        },
        { meta: b, put: new Map([[Y2021, BarColumns.fromBars(dailyBars(Y2021, 5))]]) },
      ]),
    ).rejects.toThrow();

    const check = async (s: LevelBarStore) => {
      expect(await s.listMeta()).toEqual(metaBefore);
      expect(await s.totalBytes()).toBe(bytesBefore);
      const r = await s.readBlocks(a.id, [Y2020, Y2021]);
      expect([...r.blocks.keys()]).toEqual([Y2020]);
      expect(r.blocks.get(Y2020)!.toBars()).toEqual(original);
      expect((await s.readBlocks(b.id, [Y2021])).blocks.size).toBe(0);
    };
    await check(store);
    await store.close();
    const reopened = new LevelBarStore({ dir });
    await reopened.open();
    await check(reopened);
    // And the store still works after a failed batch.
    await reopened.commit({ meta: b, put: new Map([[Y2021, BarColumns.fromBars(dailyBars(Y2021, 5))]]) });
    expect((await reopened.listMeta()).length).toBe(2);
    await reopened.close();
  });
});

describe('LevelBarStore: unreadable meta', () => {
  it('treats a series whose meta will not parse as absent, and its next commit drops the orphaned blocks', async () => {
    const dir = await tempDir();
    const Y2020 = Date.UTC(2020, 0, 1);
    const Y2021 = Date.UTC(2021, 0, 1);
    const meta = makeMeta();
    let store = new LevelBarStore({ dir });
    await store.open();
    await store.commit({ meta, put: new Map([[Y2020, BarColumns.fromBars(dailyBars(Y2020, 10))]]) });
    await store.close();

    const db = new Level<string, string>(path.join(dir, 'db'));
    await db.open();
    await db.sublevel('meta').put(meta.id, '{"id": garbage');
    await db.close();

    store = new LevelBarStore({ dir });
    await store.open();
    expect(store.unreadableMeta).toEqual([meta.id]);
    expect(await store.getMeta(meta.id)).toBeUndefined();
    expect(await store.totalBytes()).toBe(0);
    await store.commit({ meta, put: new Map([[Y2021, BarColumns.fromBars(dailyBars(Y2021, 3))]]) });
    expect(store.unreadableMeta).toEqual([]);
    const r = await store.readBlocks(meta.id, [Y2020, Y2021]);
    expect([...r.blocks.keys()]).toEqual([Y2021]);
    await store.close();
  });
});
