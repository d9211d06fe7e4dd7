/**
 * The one BarStore contract: every backend's compliance test is a factory and a call to
 * `runStoreContract`. The suite reads `store.supports` to decide what else to test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { EMPTY_LEDGER } from '../src/planning/coverage-ledger.js';
import { seriesId, type SeriesKey } from '../src/series-key.js';
import type { BarStore, SeriesMeta } from '../src/tiers/disk/bar-store.js';
import { isBarcacheError } from '../src/errors.js';
import type { Bar } from '../src/types.js';
import { DAY_MS as DAY } from '../src/intervals.js';

export interface StoreFixture {
  /** An open, empty store. */
  store: BarStore;
  /** Damages the stored bytes of one block (the store may be closed and reopened meanwhile). */
  corrupt(id: string, blockStart: number): Promise<void>;
  /**
   * Removes one block's stored bytes behind the meta's back (the meta still lists it), as a disk
   * or LevelDB's log recovery loses a write. The store may be closed and reopened meanwhile.
   */
  lose?(id: string, blockStart: number): Promise<void>;
  /** Closes the store and opens a new instance on the same location (persistent stores only). */
  reopen?(): Promise<BarStore>;
  cleanup(): Promise<void>;
}

const Y2020 = Date.UTC(2020, 0, 1);
const Y2021 = Date.UTC(2021, 0, 1);
const Y2022 = Date.UTC(2022, 0, 1);

export function dailyBars(from: number, days: number, base = 100): Bar[] {
  const bars: Bar[] = [];
  for (let i = 0; i < days; i++) {
    const c = Math.fround(Math.round((base + i * 0.37) * 100) / 100);
    bars.push({ time: from + i * DAY, open: c, high: Math.fround(c + 1), low: Math.fround(c - 1), close: c, volume: 1000 + i, adjClose: c });
  }
  return bars;
}

export function makeMeta(key: Partial<SeriesKey> = {}, extra: Partial<SeriesMeta> = {}): SeriesMeta {
  const k: SeriesKey = { provider: 'test', symbol: 'AAPL', interval: '1d', ...key };
  return {
    ...k,
    id: seriesId(k),
    ledger: { final: [{ start: Y2020, end: Y2022 }], provisional: EMPTY_LEDGER.provisional },
    blocks: [],
    splits: [],
    lastAccessAt: 1,
    ...extra,
  };
}

const cols = (bars: Bar[]) => BarColumns.fromBars(bars);

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isBarcacheError(err) && err.code === code, `expected ${code}, got ${String(err)}`).toBe(true);
}

export function runStoreContract(name: string, factory: () => Promise<StoreFixture>): void {
  describe(`BarStore contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: BarStore;
    beforeEach(async () => {
      fx = await factory();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('declares what it supports', () => {
      expect(typeof store.supports.persistent).toBe('boolean');
      expect(typeof store.supports.checksums).toBe('boolean');
    });

    it('starts empty', async () => {
      expect(await store.listMeta()).toEqual([]);
      expect(await store.getMeta('test|AAPL|1d')).toBeUndefined();
      expect(await store.totalBytes()).toBe(0);
      const r = await store.readBlocks('test|AAPL|1d', [Y2020]);
      expect(r.blocks.size).toBe(0);
      expect(r.corrupt).toEqual([]);
    });

    it('commit writes blocks and meta, recomputing meta.blocks', async () => {
      const meta = makeMeta({}, { blocks: [{ start: 1, bars: 999, bytes: 1, first: 1, last: 1 }] });
      const b2020 = dailyBars(Y2020, 300);
      const b2021 = dailyBars(Y2021, 200, 150);
      const stored = await store.commit({ meta, put: new Map([[Y2021, cols(b2021)], [Y2020, cols(b2020)]]) });
      expect(stored.blocks.map((b) => [b.start, b.bars, b.first, b.last])).toEqual([
        [Y2020, 300, b2020[0]!.time, b2020[299]!.time],
        [Y2021, 200, b2021[0]!.time, b2021[199]!.time],
      ]);
      for (const b of stored.blocks) expect(b.bytes).toBeGreaterThan(0);
      expect(stored.ledger).toEqual(meta.ledger);
      expect(await store.getMeta(meta.id)).toEqual(stored);
      expect(await store.listMeta()).toEqual([stored]);

      const r = await store.readBlocks(meta.id, [Y2020, Y2021, Y2022]);
      expect(r.corrupt).toEqual([]);
      expect([...r.blocks.keys()].sort()).toEqual([Y2020, Y2021]);
      expect(r.blocks.get(Y2020)!.toBars()).toEqual(b2020);
      expect(r.blocks.get(Y2021)!.toBars()).toEqual(b2021);

      const blockBytes = stored.blocks.reduce((s, b) => s + b.bytes, 0);
      expect(await store.totalBytes()).toBeGreaterThan(blockBytes);
    });

    it('a meta it hands out cannot change what it holds (metas may be shared frozen objects)', async () => {
      const meta = makeMeta({}, { lastAccessAt: 5 });
      await store.commit({ meta, put: new Map([[Y2020, cols(dailyBars(Y2020, 10))]]) });
      for (const got of [(await store.getMeta(meta.id))!, (await store.listMeta())[0]!]) {
        // A store may hand out its own frozen object (writes throw) or a copy (writes stay local).
        const attempt = (f: () => void) => {
          try {
            f();
          } catch (err) {
            expect(err).toBeInstanceOf(TypeError);
          }
        };
        attempt(() => ((got as { lastAccessAt: number }).lastAccessAt = 99));
        attempt(() => got.blocks.push({ start: 1, bars: 1, bytes: 1, first: 1, last: 1 }));
        attempt(() => ((got.ledger.final as { start: number; end: number }[])[0]!.end = 0));
      }
      const again = (await store.getMeta(meta.id))!;
      expect(again.lastAccessAt).toBe(5);
      expect(again.blocks).toHaveLength(1);
      expect(again.ledger).toEqual(meta.ledger);
    });

    it('replaces and deletes blocks; an empty put deletes', async () => {
      const meta = makeMeta();
      await store.commit({ meta, put: new Map([[Y2020, cols(dailyBars(Y2020, 10))], [Y2021, cols(dailyBars(Y2021, 10))]]) });
      const replacement = dailyBars(Y2020, 5, 7);
      let stored = await store.commit({ meta, put: new Map([[Y2020, cols(replacement)]]), del: [Y2021] });
      expect(stored.blocks.map((b) => [b.start, b.bars])).toEqual([[Y2020, 5]]);
      let r = await store.readBlocks(meta.id, [Y2020, Y2021]);
      expect(r.blocks.get(Y2020)!.toBars()).toEqual(replacement);
      expect(r.blocks.has(Y2021)).toBe(false);
      stored = await store.commit({ meta, put: new Map([[Y2020, BarColumns.empty()]]) });
      expect(stored.blocks).toEqual([]);
      r = await store.readBlocks(meta.id, [Y2020]);
      expect(r.blocks.size).toBe(0);
      // Deleting an absent block is not an error.
      await store.commit({ meta, del: [Y2022] });
    });

    it('commitMany writes several series; later writes to a series build on earlier ones', async () => {
      const a = makeMeta({ symbol: 'A' });
      const b = makeMeta({ symbol: 'B' });
      const res = await store.commitMany([
        { meta: a, put: new Map([[Y2020, cols(dailyBars(Y2020, 3))]]) },
        { meta: b, put: new Map([[Y2021, cols(dailyBars(Y2021, 4))]]) },
        { meta: { ...a, lastAccessAt: 9 }, put: new Map([[Y2021, cols(dailyBars(Y2021, 2))]]) },
      ]);
      expect(res).toHaveLength(3);
      expect(res[2]!.blocks.map((x) => x.start)).toEqual([Y2020, Y2021]);
      expect((await store.getMeta(a.id))!.lastAccessAt).toBe(9);
      expect((await store.getMeta(a.id))!.blocks.map((x) => x.bars)).toEqual([3, 2]);
      expect((await store.listMeta()).map((m) => m.id)).toEqual([a.id, b.id]);
      expect(await store.commitMany([])).toEqual([]);
    });

    it('serialises concurrent commits to one series (no lost blocks)', async () => {
      const meta = makeMeta();
      await Promise.all(
        [0, 1, 2, 3, 4].map((i) => store.commit({ meta, put: new Map([[Y2020 + i * 10 * DAY, cols(dailyBars(Y2020 + i * 10 * DAY, 5))]]) })),
      );
      expect((await store.getMeta(meta.id))!.blocks).toHaveLength(5);
    });

    it('keeps series apart (ids that prefix each other included)', async () => {
      const a = makeMeta({ symbol: 'BRK' });
      const b = makeMeta({ symbol: 'BRK', interval: '1wk' }); // 'test|BRK|1wk' vs 'test|BRK|1d'
      const c = makeMeta({ symbol: 'BR' });
      for (const m of [a, b, c]) await store.commit({ meta: m, put: new Map([[Y2020, cols(dailyBars(Y2020, 3, m.symbol.length * 10))]]) });
      await store.deleteSeries(c.id);
      expect((await store.readBlocks(a.id, [Y2020])).blocks.get(Y2020)!.close[0]).toBe(30);
      expect((await store.readBlocks(b.id, [Y2020])).blocks.size).toBe(1);
      expect((await store.readBlocks(c.id, [Y2020])).blocks.size).toBe(0);
    });

    it('deleteSeries removes blocks and meta and gives the bytes back', async () => {
      const a = makeMeta({ symbol: 'A' });
      const b = makeMeta({ symbol: 'B' });
      await store.commit({ meta: a, put: new Map([[Y2020, cols(dailyBars(Y2020, 100))]]) });
      const afterA = await store.totalBytes();
      await store.commit({ meta: b, put: new Map([[Y2020, cols(dailyBars(Y2020, 50))]]) });
      expect(await store.totalBytes()).toBeGreaterThan(afterA);
      await store.deleteSeries(b.id);
      expect(await store.totalBytes()).toBe(afterA);
      expect(await store.getMeta(b.id)).toBeUndefined();
      expect((await store.readBlocks(b.id, [Y2020])).blocks.size).toBe(0);
      await store.deleteSeries(a.id);
      await store.deleteSeries('test|NEVER|1d');
      expect(await store.totalBytes()).toBe(0);
      expect(await store.listMeta()).toEqual([]);
    });

    it('handles pre-1970 and far-future block starts (sortable keys)', async () => {
      const meta = makeMeta({ symbol: 'IBM' });
      const old = Date.UTC(1962, 0, 1);
      const future = Date.UTC(2200, 0, 1);
      await store.commit({ meta, put: new Map([[future, cols(dailyBars(future, 2))], [old, cols(dailyBars(old, 2))]]) });
      const r = await store.readBlocks(meta.id, [old, future]);
      expect(r.blocks.get(old)!.time[0]).toBe(old);
      expect(r.blocks.get(future)!.time[0]).toBe(future);
      expect((await store.getMeta(meta.id))!.blocks.map((b) => b.start)).toEqual([old, future]);
    });

    it('rejects malformed writes with TypeError and stores nothing', async () => {
      const meta = makeMeta();
      const bad = [
        () => store.commit({ meta, put: new Map([[1.5, cols(dailyBars(Y2020, 1))]]) }),
        () => store.commit({ meta, put: new Map([[Y2021, cols(dailyBars(Y2020, 1))]]) }), // bar before block start
        () => store.commit({ meta, put: new Map([[Y2020, dailyBars(Y2020, 1) as unknown as BarColumns]]) }),
        () => store.commit({ meta: { ...meta, id: 'a\x00b' } }),
        () => store.commitMany([{ meta: makeMeta({ symbol: 'OK' }) }, { meta, del: [NaN] }]),
        () => store.readBlocks(meta.id, [NaN]),
      ];
      for (const f of bad) await expect(f()).rejects.toThrow(TypeError);
      expect(await store.listMeta()).toEqual([]);
      expect(await store.totalBytes()).toBe(0);
    });

    it('throws CLOSED after close()', async () => {
      await store.close();
      await expectCode(store.getMeta('test|AAPL|1d'), 'CLOSED');
      await expectCode(store.commit({ meta: makeMeta() }), 'CLOSED');
      await expectCode(store.readBlocks('test|AAPL|1d', []), 'CLOSED');
      await store.close(); // idempotent
      await store.open();
      expect(await store.totalBytes()).toBeGreaterThanOrEqual(0);
    });

    it('detects a corrupt block on read without deleting it (if checksums)', async (ctx) => {
      if (!store.supports.checksums) ctx.skip();
      const meta = makeMeta();
      const bars2021 = dailyBars(Y2021, 20);
      await store.commit({ meta, put: new Map([[Y2020, cols(dailyBars(Y2020, 20))], [Y2021, cols(bars2021)]]) });
      const before = await store.getMeta(meta.id);
      await fx.corrupt(meta.id, Y2020);
      store = fx.store;
      const r = await store.readBlocks(meta.id, [Y2020, Y2021]);
      expect(r.corrupt).toEqual([Y2020]);
      expect([...r.blocks.keys()]).toEqual([Y2021]);
      expect(r.blocks.get(Y2021)!.toBars()).toEqual(bars2021);
      // Still there (and still corrupt): the cache decides what to drop.
      expect((await store.readBlocks(meta.id, [Y2020])).corrupt).toEqual([Y2020]);
      expect(await store.getMeta(meta.id)).toEqual(before);
      // Rewriting the block heals it.
      await store.commit({ meta, put: new Map([[Y2020, cols(dailyBars(Y2020, 3))]]) });
      expect((await store.readBlocks(meta.id, [Y2020])).blocks.get(Y2020)!.length).toBe(3);
    });

    it('reports a block the meta lists but the store lacks as corrupt, never as "no bars"', async (ctx) => {
      if (fx.lose === undefined) ctx.skip();
      const meta = makeMeta();
      const bars2021 = dailyBars(Y2021, 20);
      await store.commit({ meta, put: new Map([[Y2020, cols(dailyBars(Y2020, 20))], [Y2021, cols(bars2021)]]) });
      await fx.lose!(meta.id, Y2020);
      store = fx.store;
      const r = await store.readBlocks(meta.id, [Y2020, Y2021, Y2022]);
      expect(r.corrupt).toEqual([Y2020]);
      expect([...r.blocks.keys()]).toEqual([Y2021]);
      expect(r.blocks.get(Y2021)!.toBars()).toEqual(bars2021);
      // Deleting the lost block (what the cache does) makes the series consistent again.
      await store.commit({ meta, del: [Y2020] });
      expect((await store.readBlocks(meta.id, [Y2020, Y2021])).corrupt).toEqual([]);
    });

    it('keeps everything across close and reopen (if persistent)', async (ctx) => {
      if (!store.supports.persistent || fx.reopen === undefined) ctx.skip();
      const a = makeMeta({ symbol: 'A' }, { timezone: 'America/New_York', lastFetchedAt: 5 });
      const b = makeMeta({ symbol: 'B' });
      const bars = dailyBars(Y2020, 250);
      await store.commitMany([
        { meta: a, put: new Map([[Y2020, cols(bars)]]) },
        { meta: b, put: new Map([[Y2021, cols(dailyBars(Y2021, 3))]]) },
      ]);
      await store.deleteSeries(b.id);
      const metas = await store.listMeta();
      const total = await store.totalBytes();
      store = await fx.reopen!();
      expect(await store.listMeta()).toEqual(metas);
      expect(await store.totalBytes()).toBe(total);
      expect((await store.readBlocks(a.id, [Y2020])).blocks.get(Y2020)!.toBars()).toEqual(bars);
      expect((await store.readBlocks(b.id, [Y2021])).blocks.size).toBe(0);
    });

    it('grants one fill lease per series at a time, in order, with growing tokens', async () => {
      const order: string[] = [];
      const first = await store.lease('test|AAPL|1d');
      const other = await store.lease('test|MSFT|1d'); // another series is not held up
      const second = store.lease('test|AAPL|1d').then((l) => (order.push('second'), l));
      const third = store.lease('test|AAPL|1d').then((l) => (order.push('third'), l));
      await new Promise((r) => setTimeout(r, 20));
      expect(order).toEqual([]);
      order.push('first released');
      await first.release();
      const l2 = await second;
      await new Promise((r) => setTimeout(r, 20));
      expect(order).toEqual(['first released', 'second']);
      await l2.release();
      await l2.release(); // idempotent: must not release the third holder's lease
      const l3 = await third;
      expect(l2.token).toBeGreaterThan(first.token);
      expect(l3.token).toBeGreaterThan(l2.token);
      await l3.release();
      await other.release();
    });

    it('stops waiting for a lease when the signal aborts', async () => {
      const held = await store.lease('test|AAPL|1d');
      const ac = new AbortController();
      const waiting = store.lease('test|AAPL|1d', { signal: ac.signal });
      ac.abort();
      await expectCode(waiting, 'ABORTED');
      await held.release();
      const again = await store.lease('test|AAPL|1d');
      await again.release();
    });
  });
}
