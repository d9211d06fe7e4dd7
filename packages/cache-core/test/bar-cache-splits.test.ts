import { afterEach, beforeEach, expect, it } from 'vitest';
import { syntheticDailyBars, type BarSource } from '@barcache/test-support';
import type { Bar } from '@barcache/cache-core';
import { startCacheOnServer, toEpochMs as utc, type CacheOnServer } from '@barcache/test-support';

// A 4:1 split on 10 June 2024. Before it is announced, Yahoo serves pre-split prices as they
// were (4× the adjusted ones, adjClose too, a quarter of the volume); afterwards every bar is adjusted.
const SPLIT_DATE = utc('2024-06-10');
let announced = false;
const adjusted = (p1: number, p2: number) => syntheticDailyBars({ symbol: 'SPLT', start: p1, end: p2 });
const unadjusted = (bar: Bar): Bar =>
  bar.time >= SPLIT_DATE
    ? bar
    : { ...bar, open: bar.open * 4, high: bar.high * 4, low: bar.low * 4, close: bar.close * 4, adjClose: bar.adjClose! * 4, volume: bar.volume / 4 };
const source: BarSource = (_symbol, _interval, p1, p2) => (announced ? adjusted(p1, p2) : adjusted(p1, p2).map(unadjusted));

const clock = { now: 0 };
let fx: CacheOnServer;
beforeEach(async () => {
  announced = false;
  fx = await startCacheOnServer({ server: { symbols: { SPLT: { source } } } });
});
afterEach(async () => {
  await fx.dispose();
});

it('re-bases stored bars when a later fetch reports a split, without refetching them', async () => {
  clock.now = Date.parse('2024-05-01T21:00:00Z');
  const cache = await fx.open({ now: () => clock.now });
  const before = await cache.getBars({ symbol: 'SPLT', interval: '1d', start: '2024-01-02', end: '2024-04-30' });
  expect(before[0]!.close).toBe(adjusted(utc('2024-01-02'), utc('2024-01-03'))[0]!.close * 4);

  // The split happens; Yahoo now reports it with the next fetch that spans it.
  announced = true;
  fx.server.configureSymbol('SPLT', { source, splits: [{ date: '2024-06-10', numerator: 4, denominator: 1 }] });
  clock.now = Date.parse('2024-07-01T21:00:00Z');
  await cache.getBars({ symbol: 'SPLT', interval: '1d', start: '2024-06-03', end: '2024-06-28' });
  expect(fx.calls('SPLT')).toBe(2);
  // The second request asked only for what was missing, not for the stored months again.
  expect(fx.server.chartRequests('SPLT')[1]!.start).toBeGreaterThanOrEqual(utc('2024-04-29'));

  // One basis across the whole series: the stored months were re-scaled in place.
  const all = await cache.getBars({ symbol: 'SPLT', interval: '1d', start: '2024-01-02', end: '2024-06-28' });
  expect(all).toEqual(adjusted(utc('2024-01-02'), utc('2024-06-29')));
  expect(fx.calls('SPLT')).toBe(2);

  // And the re-based bars are what a new process reads from disk.
  await cache.close();
  const reopened = await fx.open({ now: () => clock.now, offline: true });
  expect(await reopened.getBars({ symbol: 'SPLT', interval: '1d', start: '2024-01-02', end: '2024-06-28' })).toEqual(all);
});

it('does not re-base bars that were fetched after the split (already adjusted)', async () => {
  announced = true;
  fx.server.configureSymbol('SPLT', { source, splits: [{ date: '2024-06-10', numerator: 4, denominator: 1 }] });
  clock.now = Date.parse('2025-02-03T21:00:00Z');
  const cache = await fx.open({ now: () => clock.now });
  // 2023 is fetched after the split happened: Yahoo's prices are already adjusted, no event in range.
  const y2023 = await cache.getBars({ symbol: 'SPLT', interval: '1d', start: '2023-01-03', end: '2023-12-29' });
  // 2024 brings the split event; 2023 must stay as it is.
  await cache.getBars({ symbol: 'SPLT', interval: '1d', start: '2024-01-02', end: '2024-12-31' });
  expect(await cache.getBars({ symbol: 'SPLT', interval: '1d', start: '2023-01-03', end: '2023-12-29' })).toEqual(y2023);
  expect(y2023).toEqual(adjusted(utc('2023-01-03'), utc('2023-12-30')));
});
