import fs from 'node:fs';
import path from 'node:path';
import { Level } from 'level';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { syntheticDailyBars } from '@barcache/test-support';
import { ErrorCode, openCache } from '@barcache/cache-core';
import { cacheFixture, utc, type CacheFixture } from './helpers/cache-fixture.js';
import { startProcess } from './helpers/child-process.js';

const now = () => Date.parse('2025-03-03T21:00:00Z');
let fx: CacheFixture;
beforeEach(async () => {
  fx = await cacheFixture();
});
afterEach(async () => {
  await fx.dispose();
});

it('refuses a second process on the same dir with LOCKED naming the holder, after a bounded wait', async () => {
  const holder = startProcess('hold-cache.ts', [fx.tmp.path, fx.server.url]);
  try {
    const ready = await holder.waitFor(/^ready \d+/);
    const pid = Number(ready.split(' ')[1]);
    const started = Date.now();
    const err = await openCache({ dir: fx.tmp.path, provider: fx.provider(), lockTimeoutMs: 300 }).catch((e) => e);
    const waited = Date.now() - started;
    expect(err.code).toBe(ErrorCode.LOCKED);
    expect(err.message).toContain(String(pid));
    expect(err.details.holder.pid).toBe(pid);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(10_000);
  } finally {
    holder.child.stdin!.end();
    await new Promise((r) => holder.child.once('exit', r));
  }
  // Once the holder has gone, the dir opens normally.
  const cache = await fx.open({ now });
  expect(cache.stats().requests).toBe(0);
});

it('never claims bars that are not on disk after a process is killed in the middle of warming', async () => {
  const warm = startProcess('warm-loop.ts', [fx.tmp.path, fx.server.url]);
  await warm.waitFor(/^committed W3$/, 60_000);
  warm.child.kill('SIGKILL');
  await new Promise((r) => warm.child.once('exit', r));

  const cache = await fx.open({ now, offline: true });
  const series = await cache.listSeries();
  expect(series.length).toBeGreaterThanOrEqual(4);
  for (const s of series) {
    for (const range of s.covered) {
      // Offline: whatever the ledger claims must be served from disk, bar for bar.
      const bars = await cache.getBars({ symbol: s.symbol, interval: '1d', start: range.start, end: range.end - 1 });
      const truth = syntheticDailyBars({ symbol: s.symbol, start: range.start, end: range.end });
      expect(bars).toEqual(truth.filter((b) => b.time >= range.start && b.time < range.end));
    }
  }
});

it('drops a block that fails its checksum, takes its range out of the ledger, and refetches it', async () => {
  const first = await fx.open({ now });
  const bars = await first.getBars({ symbol: 'AAPL', interval: '1d', start: '2023-01-03', end: '2024-12-31' });
  await first.close();

  // Flip bytes in every stored block of AAPL, with LevelDB itself (the cache is closed).
  const db = new Level<string, Uint8Array>(path.join(fx.tmp.path, 'db'), { keyEncoding: 'utf8', valueEncoding: 'view' });
  let corrupted = 0;
  for await (const [key, value] of db.iterator()) {
    if (!key.startsWith('!blocks!') || !key.includes('AAPL')) continue;
    const bad = Uint8Array.from(value);
    for (let i = 20; i < bad.length; i += 7) bad[i]! ^= 0xff;
    await db.put(key, bad);
    corrupted++;
  }
  await db.close();
  expect(corrupted).toBeGreaterThanOrEqual(2);

  const calls = fx.calls('AAPL');
  const cache = await fx.open({ now });
  const again = await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2023-01-03', end: '2024-12-31' });
  expect(again).toEqual(bars);
  expect(fx.calls('AAPL')).toBe(calls + 1);
  expect(cache.stats().l2.corruptBlocks).toBeGreaterThanOrEqual(2);
  // Repaired on disk: a third instance reads it clean.
  await cache.close();
  const third = await fx.open({ now, offline: true });
  expect(await third.getBars({ symbol: 'AAPL', interval: '1d', start: '2023-01-03', end: '2024-12-31' })).toEqual(bars);
  expect(third.stats().l2.corruptBlocks).toBe(0);
});

it('writes a stats snapshot other processes can read', async () => {
  const cache = await fx.open({ now, statsSnapshots: true, processLabel: 'snapshot test' });
  await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-01-31' });
  await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-01-31' });
  await cache.close();
  const file = path.join(fx.tmp.path, 'stats', `${process.pid}.json`);
  const snapshot = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(snapshot.pid).toBe(process.pid);
  expect(snapshot.label).toBe('snapshot test');
  expect(snapshot.closed).toBe(true);
  expect(snapshot.stats.requests).toBe(2);
  expect(snapshot.stats.l1.hits).toBe(1);
  expect(snapshot.stats.provider.calls).toBe(1);
});

it('serves the whole range of a series too large for memory through a sliding window', async () => {
  // A 64 KiB budget cannot hold 20 years of daily bars (~5,000 bars × 56 B): the session windows it.
  const cache = await fx.open({ now, memory: { maxBytes: 64 * 1024 } });
  const { report } = await cache.prefetch({ symbols: ['LONG'], interval: '1d', start: '2006-01-03', end: '2024-12-31', lookback: { bars: 30 } });
  expect(report.symbols[0]!.windowed).toBe(true);
  const truth = syntheticDailyBars({ symbol: 'LONG', start: '2005-06-01', end: '2024-12-31' });
  let maxBytes = 0;
  let checked = 0;
  for (let i = truth.findIndex((b) => b.time >= utc('2006-01-03')); i < truth.length; i += 5) {
    const day = truth[i]!.time;
    const window = await cache.getBars({ symbol: 'LONG', interval: '1d', start: truth[i - 30]!.time, end: day });
    expect(window).toEqual(truth.slice(i - 30, i + 1));
    maxBytes = Math.max(maxBytes, cache.stats().l1.bytes);
    if (checked % 10 === 0 && i >= 300) {
      // A read reaching behind the window, while the window is moving, is still whole.
      const long = await cache.getBars({ symbol: 'LONG', interval: '1d', start: truth[i - 300]!.time, end: day });
      expect(long).toEqual(truth.slice(i - 300, i + 1));
    }
    checked++;
  }
  expect(checked).toBeGreaterThan(900);
  expect(fx.calls('LONG')).toBe(1);
  // Memory stayed bounded by the window (a few yearly blocks): under a third of what the whole
  // series costs resident (56 B of columns + 168 B of row objects a bar).
  expect(maxBytes).toBeLessThan((truth.length * (56 + 168)) / 3);
  expect(cache.stats().l1.hits).toBeGreaterThan(checked / 2);
});
