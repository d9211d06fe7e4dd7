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
    async lose(id: string, blockStart: number) {
      await store.close();
      const db = new Level<string, string>(path.join(dir, 'db'));
      await db.open();
      await db.sublevel('blocks').del(blockKey(id, blockStart));
      await db.close();
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

describe('LevelBarStore: blocks older than their meta', () => {
  it('reports a block whose stored version is older than the meta describes as corrupt', async () => {
    // LevelDB's log recovery can drop the batch that rewrote a block while a later batch's meta
    // (listing the new version) survives: the old, shorter block must not be served as whole.
    const dir = await tempDir();
    const Y2020 = Date.UTC(2020, 0, 1);
    const meta = makeMeta();
    const store = new LevelBarStore({ dir });
    await store.open();
    await store.commit({ meta, put: new Map([[Y2020, BarColumns.fromBars(dailyBars(Y2020, 10))]]) });
    const old = (await store.close(), await readRaw(dir, blockKey(meta.id, Y2020)));
    await store.open();
    await store.commit({ meta, put: new Map([[Y2020, BarColumns.fromBars(dailyBars(Y2020, 30))]]) });
    await store.close();
    const db = new Level<string, string>(path.join(dir, 'db'));
    await db.open();
    await db.sublevel<string, Uint8Array>('blocks', { valueEncoding: 'view' }).put(blockKey(meta.id, Y2020), old);
    await db.close();
    await store.open();
    const r = await store.readBlocks(meta.id, [Y2020]);
    expect(r.corrupt).toEqual([Y2020]);
    expect(r.blocks.size).toBe(0);
    await store.close();
  });
});

async function readRaw(dir: string, key: string): Promise<Uint8Array> {
  const db = new Level<string, string>(path.join(dir, 'db'));
  await db.open();
  try {
    return (await db.sublevel<string, Uint8Array>('blocks', { valueEncoding: 'view' }).get(key))!;
  } finally {
    await db.close();
  }
}

describe('LevelBarStore: unreadable meta', () => {
  const Y2020 = Date.UTC(2020, 0, 1);
  const Y2021 = Date.UTC(2021, 0, 1);

  /** Stores one series, then rewrites its raw meta value with `edit` (the store closed). */
  async function storeThenEditMeta(dir: string, edit: (stored: string) => string) {
    const meta = makeMeta();
    const store = new LevelBarStore({ dir });
    await store.open();
    await store.commit({ meta, put: new Map([[Y2020, BarColumns.fromBars(dailyBars(Y2020, 10))]]) });
    await store.close();
    const db = new Level<string, string>(path.join(dir, 'db'));
    await db.open();
    const metaLevel = db.sublevel<string, string>('meta', { valueEncoding: 'utf8' });
    await metaLevel.put(meta.id, edit((await metaLevel.get(meta.id))!));
    await db.close();
    return meta;
  }

  it('treats a series whose meta will not parse as absent and removes its orphaned blocks at open', async () => {
    const dir = await tempDir();
    const meta = await storeThenEditMeta(dir, () => '{"id": garbage');
    const store = new LevelBarStore({ dir });
    await store.open();
    expect(store.orphanBlocksRemoved).toBe(1);
    expect(store.unreadableMeta).toEqual([]);
    expect(await store.getMeta(meta.id)).toBeUndefined();
    expect(await store.totalBytes()).toBe(0);
    expect((await store.readBlocks(meta.id, [Y2020])).blocks.size).toBe(0);
    await store.commit({ meta, put: new Map([[Y2021, BarColumns.fromBars(dailyBars(Y2021, 3))]]) });
    const r = await store.readBlocks(meta.id, [Y2020, Y2021]);
    expect([...r.blocks.keys()]).toEqual([Y2021]);
    await store.close();
  });

  it('a meta with one digit changed inside still-valid JSON fails its checksum: the series is absent', async () => {
    const dir = await tempDir();
    // The ledger's end moves by a digit: it would claim bars that were never stored.
    const meta = await storeThenEditMeta(dir, (stored) => {
      const end = String(Date.UTC(2022, 0, 1));
      const changed = String(Date.UTC(2022, 0, 1) + 7 * 86_400_000);
      expect(stored).toContain(end);
      const edited = stored.replace(end, changed);
      JSON.parse(edited.slice(edited.indexOf('{'))); // still valid JSON
      return edited;
    });
    const store = new LevelBarStore({ dir });
    await store.open();
    expect(await store.getMeta(meta.id)).toBeUndefined();
    expect(store.orphanBlocksRemoved).toBe(1);
    expect((await store.readBlocks(meta.id, [Y2020])).blocks.size).toBe(0);
    await store.close();
  });

  it('still reads a meta written before metas carried a checksum (plain JSON)', async () => {
    const dir = await tempDir();
    const meta = await storeThenEditMeta(dir, (stored) => stored.slice(stored.indexOf('{')));
    const store = new LevelBarStore({ dir });
    await store.open();
    expect((await store.getMeta(meta.id))?.blocks.map((b) => b.bars)).toEqual([10]);
    expect((await store.readBlocks(meta.id, [Y2020])).blocks.get(Y2020)?.length).toBe(10);
    await store.close();
  });
});

describe('LevelBarStore: opening a store of many series', () => {
  it('reads every meta (in batches), deeply frozen, and drops the unreadable ones wherever they fall', async () => {
    const dir = await tempDir();
    const store = new LevelBarStore({ dir });
    await store.open();
    const metas = Array.from({ length: 2345 }, (_, i) => makeMeta({ symbol: `S${String(i).padStart(5, '0')}` }));
    await store.commitMany(metas.map((meta) => ({ meta })));
    await store.close();
    // Three metas made unreadable: near the start, at a batch edge, near the end (ids sort by symbol).
    const broken = [metas[3]!, metas[999]!, metas[2344]!];
    const db = new Level<string, string>(path.join(dir, 'db'));
    await db.open();
    const metaLevel = db.sublevel<string, string>('meta', { valueEncoding: 'utf8' });
    for (const m of broken) await metaLevel.put(m.id, '{"id": garbage');
    await db.close();

    const reopened = new LevelBarStore({ dir });
    await reopened.open();
    const listed = await reopened.listMeta();
    expect(listed.map((m) => m.id)).toEqual(metas.filter((m) => !broken.includes(m)).map((m) => m.id));
    for (const m of broken) expect(await reopened.getMeta(m.id)).toBeUndefined();
    const sample = listed[1500]!;
    expect(Object.isFrozen(sample)).toBe(true);
    expect(Object.isFrozen(sample.ledger)).toBe(true);
    expect(Object.isFrozen(sample.ledger.final)).toBe(true);
    expect(Object.isFrozen(sample.ledger.final[0])).toBe(true);
    expect(Object.isFrozen(sample.blocks)).toBe(true);
    await reopened.close();
  });
});

describe('LevelBarStore: reads gathered into one getMany', () => {
  it('many series read at once each get exactly their own blocks, missing ones absent', async () => {
    const dir = await tempDir();
    const store = new LevelBarStore({ dir });
    await store.open();
    expect(store.supports.readConcurrency).toBeGreaterThan(1);
    const Y2020 = Date.UTC(2020, 0, 1);
    const Y2021 = Date.UTC(2021, 0, 1);
    const Y2022 = Date.UTC(2022, 0, 1);
    // 40 series, each with its own prices (a different count per series), some without 2021.
    const series = Array.from({ length: 40 }, (_, i) => ({
      meta: makeMeta({ symbol: `R${i}` }),
      y2020: dailyBars(Y2020, 5 + (i % 7), i),
      y2021: i % 3 === 0 ? undefined : dailyBars(Y2021, 3 + (i % 5), 100 + i),
    }));
    await store.commitMany(
      series.map((s) => ({
        meta: s.meta,
        put: new Map([[Y2020, BarColumns.fromBars(s.y2020)], ...(s.y2021 ? ([[Y2021, BarColumns.fromBars(s.y2021)]] as const) : [])]),
      })),
    );
    // More keys than one call takes (64): several calls in the same turn.
    const reads = await Promise.all(series.map((s) => store.readBlocks(s.meta.id, [Y2022, Y2021, Y2020])));
    reads.forEach((r, i) => {
      const s = series[i]!;
      expect(r.corrupt).toEqual([]);
      expect([...r.blocks.keys()].sort()).toEqual(s.y2021 ? [Y2020, Y2021] : [Y2020]);
      expect(r.blocks.get(Y2020)!.toBars()).toEqual(s.y2020);
      if (s.y2021) expect(r.blocks.get(Y2021)!.toBars()).toEqual(s.y2021);
    });
    await store.close();
  });
});
