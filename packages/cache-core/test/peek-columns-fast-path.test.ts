/**
 * The checks peekColumns' fast path must keep: it reads no clock inside settled bars, starts its
 * search where the last window was, and remembers where L1 holds a pinned series. None of that may
 * hand out a window of part of a range, a forming bar past its TTL, or a series L1 no longer holds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, startCacheOnServer, toEpochMs as utc, type CacheOnServer, type TempDir } from '@barcache/test-support';
import { openCache, type Bar, type BarProvider, type ColumnWindow, type ProviderRequest } from '@barcache/cache-core';

const NOW = Date.parse('2025-03-03T20:00:00Z');
const now = () => NOW;
const DAY = 86_400_000;

let fx: CacheOnServer;
beforeEach(async () => {
  fx = await startCacheOnServer();
});
afterEach(async () => {
  await fx.dispose();
});

const times = (w: ColumnWindow | undefined) => (w === undefined ? undefined : Array.from(w.time));
const closes = (w: ColumnWindow) => Array.from(w.close);

describe('peekColumns fast path: nothing short, nothing stale', () => {
  const q = { symbol: 'AAPL', interval: '1d' as const };

  it('windows walked forward, backward and at random equal the bars; a range L1 holds only part of is undefined', async () => {
    const cache = await fx.open({ now });
    await using session = await cache.prefetch({ ...q, symbols: ['AAPL'], start: '2024-03-01', end: '2024-06-28' });
    expect(session.report.failed).toEqual([]);
    const all = await cache.getBars({ ...q, start: '2024-03-01', end: '2024-06-28' });
    const expectWindow = (i: number, j: number) => {
      const w = cache.peekColumns({ ...q, start: all[i]!.time, end: all[j]!.time })!;
      expect(times(w)).toEqual(all.slice(i, j + 1).map((b) => b.time));
      expect(closes(w)).toEqual(all.slice(i, j + 1).map((b) => b.close));
    };
    for (let d = 9; d < all.length; d++) expectWindow(d - 9, d); // forward, a bar at a time
    for (let d = all.length - 1; d >= 29; d -= 3) expectWindow(d - 29, d); // backward, another length
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let k = 0; k < 200; k++) {
      const i = rnd(all.length);
      expectWindow(i, Math.min(all.length - 1, i + rnd(40)));
    }

    // With the hints and the memo warm: a range reaching outside what was fetched is not handed out
    // as a shorter window. (explain confirms the provider would be asked for part of it.)
    const before = { ...q, start: utc('2021-03-01'), end: all[20]!.time };
    const after = { ...q, start: all[all.length - 20]!.time, end: utc('2025-02-28') };
    for (const part of [before, after]) {
      expect((await cache.explain(part)).parts.some((p) => p.tier === 'provider')).toBe(true);
      expect(cache.peekColumns(part)).toBeUndefined();
      expect(cache.peekBars(part)).toBeUndefined();
    }
    expect(fx.calls('AAPL')).toBe(1); // a probe never fetches
  });

  it('a series released and evicted, or cleared, is not served from the remembered lookup', async () => {
    // Room for AAPL's two years whole, not for them and MSFT's four: loading MSFT evicts AAPL once unpinned.
    const cache = await fx.open({ now, memory: { maxBytes: 70_000 } });
    const range = { start: '2023-01-03', end: '2024-12-31' };
    const session = await cache.prefetch({ ...q, symbols: ['AAPL'], ...range });
    const w1 = cache.peekColumns({ ...q, ...range })!; // the lookup is remembered while pinned
    expect(w1.length).toBeGreaterThan(450);
    session.release();
    await cache.getBars({ symbol: 'MSFT', interval: '1d', start: '2021-01-04', end: '2024-12-31' });
    expect((await cache.explain({ ...q, ...range })).parts.map((p) => p.tier)).not.toContain('l1'); // AAPL left memory
    expect(cache.peekColumns({ ...q, ...range })).toBeUndefined();

    const again = await cache.prefetch({ ...q, symbols: ['AAPL'], ...range });
    expect(times(cache.peekColumns({ ...q, ...range }))).toEqual(times(w1));
    await cache.clear({ symbol: 'AAPL' });
    expect(cache.peekColumns({ ...q, ...range })).toBeUndefined();
    again.release();
  });
});

/** Daily bars on every day up to `now`; the last one is forming (its close moves with now). */
function provided(at: number, first: number): Bar[] {
  const out: Bar[] = [];
  for (let t = first; t <= at; t += DAY) {
    const k = (t - first) / DAY;
    const close = t + DAY > at ? 100 + k + (at - t) / DAY : 100.5 + k;
    out.push({ time: t, open: 100 + k, high: 102 + k, low: 99 + k, close, volume: 1000 + k });
  }
  return out;
}

describe('peekColumns fast path and the clock', () => {
  let tmp: TempDir;
  beforeEach(() => {
    tmp = makeTempDir('barcache-fastpath-');
  });
  afterEach(async () => {
    await tmp.cleanup();
  });

  it('settled bars are served without the clock; a window with the forming bar is undefined once its TTL has passed', async () => {
    const FIRST = Date.parse('2024-10-01T00:00:00Z');
    let at = Date.parse('2025-01-06T12:00:00Z');
    const TTL = 15 * 60_000;
    let calls = 0;
    const provider: BarProvider = {
      name: 'moving',
      async fetchBars(req: ProviderRequest) {
        calls++;
        return { bars: provided(at, FIRST).filter((b) => b.time >= req.start && b.time < req.end) };
      },
    };
    const cache = await openCache({ dir: tmp.path, provider, now: () => at, provisionalTtlMs: TTL, statsSnapshots: false });
    try {
      const today = Date.parse('2025-01-06T00:00:00Z');
      await using session = await cache.prefetch({ symbols: ['MOV'], interval: '1d', start: FIRST, end: today });
      expect(session.report.failed).toEqual([]);
      const settled = { symbol: 'MOV', interval: '1d' as const, start: today - 60 * DAY, end: today - 10 * DAY };
      const withForming = { symbol: 'MOV', interval: '1d' as const, start: today - 30 * DAY, end: today };
      const old = cache.peekColumns(settled)!;
      const recent = cache.peekColumns(withForming)!;
      expect(recent.time[recent.length - 1]).toBe(today); // the forming bar, within its TTL
      expect(recent.close[recent.length - 1]).toBe(provided(at, FIRST).at(-1)!.close);

      at += TTL + 60_000;
      // The forming bar is past its TTL: not handed out frozen, however warm the fast path is.
      expect(cache.peekColumns(withForming)).toBeUndefined();
      expect(cache.peekBars(withForming)).toBeUndefined();
      // Settled bars need no refresh: still a hit, the same bars.
      const later = cache.peekColumns(settled)!;
      expect(times(later)).toEqual(times(old));
      expect(closes(later)).toEqual(provided(at, FIRST).filter((b) => b.time >= settled.start && b.time <= settled.end).map((b) => b.close));
      expect(calls).toBe(1);

      // getBars refetches the forming bar; the new window holds its new close.
      await cache.getBars(withForming);
      const refreshed = cache.peekColumns(withForming)!;
      expect(refreshed.close[refreshed.length - 1]).toBe(provided(at, FIRST).at(-1)!.close);
      expect(recent.close[recent.length - 1]).not.toBe(refreshed.close[refreshed.length - 1]); // the old window is a snapshot
    } finally {
      await cache.close();
    }
  });
});
