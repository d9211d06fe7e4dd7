import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bar, ColumnWindow } from '@barcache/cache-core';
import { cacheFixture, utc, type CacheFixture } from './helpers/cache-fixture.js';

const NOW = Date.parse('2025-03-03T20:00:00Z');
const now = () => NOW;

let fx: CacheFixture;
beforeEach(async () => {
  fx = await cacheFixture();
});
afterEach(async () => {
  await fx.dispose();
});

function rowsOf(w: ColumnWindow): Bar[] {
  const out: Bar[] = [];
  for (let i = 0; i < w.length; i++) {
    const b: Bar = { time: w.time[i]!, open: w.open[i]!, high: w.high[i]!, low: w.low[i]!, close: w.close[i]!, volume: w.volume[i]! };
    const a = w.adjClose?.[i];
    if (a !== undefined && !Number.isNaN(a)) b.adjClose = a;
    out.push(b);
  }
  return out;
}

describe('peekColumns: the zero-copy columnar window', () => {
  const q = { symbol: 'AAPL', interval: '1d' as const };

  it('holds exactly the bars peekBars returns, as views of the resident series', async () => {
    const cache = await fx.open({ now });
    const session = await cache.prefetch({ ...q, symbols: ['AAPL'], start: '2023-01-03', end: '2024-12-31' });
    for (const [start, end] of [['2024-03-01', '2024-04-12'], ['2023-01-03', '2024-12-31'], ['2024-03-02', '2024-03-03'], ['2024-07-05', '2024-07-05']] as const) {
      const w = cache.peekColumns({ ...q, start, end })!;
      expect(w).toBeDefined();
      expect(rowsOf(w)).toEqual(cache.peekBars({ ...q, start, end }));
      for (const col of [w.time, w.open, w.high, w.low, w.close, w.volume]) expect(col).toHaveLength(w.length);
    }
    const a = cache.peekColumns({ ...q, start: '2024-03-01', end: '2024-04-12' })!;
    const b = cache.peekColumns({ ...q, start: '2024-04-01', end: '2024-06-28' })!;
    // Same memory, no copy: b's first bar sits at its own place in a's buffer.
    expect(b.close.buffer).toBe(a.close.buffer);
    const i = Array.from(a.time).indexOf(b.time[0]!);
    expect(b.close.byteOffset).toBe(a.close.byteOffset + i * 8);
    expect(cache.stats().l1.hits).toBeGreaterThanOrEqual(6);
    session.release();
  });

  it('is undefined for what memory does not hold, and empty for the future', async () => {
    const cache = await fx.open({ now });
    expect(cache.peekColumns({ ...q, start: '2024-03-01', end: '2024-03-28' })).toBeUndefined();
    await cache.getBars({ ...q, start: '2024-03-01', end: '2024-03-28' });
    expect(cache.peekColumns({ ...q, start: '2024-03-01', end: '2024-03-28' })!.length).toBeGreaterThan(15);
    expect(cache.peekColumns({ ...q, start: '2019-03-01', end: '2019-03-28' })).toBeUndefined(); // never fetched
    expect(cache.peekColumns({ ...q, start: utc('2026-01-05'), end: utc('2026-02-05') })!.length).toBe(0);
    expect(fx.calls('AAPL')).toBe(1); // peekColumns never fetches
  });

  it('a window handed out stays readable and unchanged after its session is released and the cache closed', async () => {
    const cache = await fx.open({ now });
    const session = await cache.prefetch({ ...q, symbols: ['AAPL'], start: '2024-01-02', end: '2024-06-28' });
    const w = cache.peekColumns({ ...q, start: '2024-02-01', end: '2024-02-29' })!;
    const before = rowsOf(w);
    session.release();
    await cache.clear();
    await cache.close();
    expect(rowsOf(w)).toEqual(before);
  });
});
