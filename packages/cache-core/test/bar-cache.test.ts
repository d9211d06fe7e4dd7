import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syntheticDailyBars } from '@barcache/test-support';
import { BarcacheError, ErrorCode, type Bar, type BarCache } from '@barcache/cache-core';
import { cacheFixture, DAY, utc, type CacheFixture } from './helpers/cache-fixture.js';

const NOW = Date.parse('2025-03-03T20:00:00Z'); // a Monday evening, after the New York close
const clock = { now: NOW };
const now = () => clock.now;

let fx: CacheFixture;
beforeEach(async () => {
  clock.now = NOW;
  fx = await cacheFixture();
});
afterEach(async () => {
  await fx.dispose();
});

const expected = (symbol: string, start: string | number, end: string | number): Bar[] =>
  syntheticDailyBars({ symbol, start, end, inclusive: true }).filter((b) => b.time >= toMs(start) && b.time <= toMs(end));
const toMs = (t: string | number) => (typeof t === 'number' ? t : utc(t));

describe('BarCache: serving daily bars', () => {
  it('fetches a gap once, widened to its year block, then serves from memory', async () => {
    const cache = await fx.open({ now });
    const bars = await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-03-01', end: '2024-03-29' });
    expect(bars).toEqual(expected('AAPL', '2024-03-01', '2024-03-29'));
    expect(fx.calls('AAPL')).toBe(1);
    const [req] = fx.server.chartRequests('AAPL');
    // Widened to the 2024 block: any later 2024 lookback is already covered.
    expect(req!.start).toBeLessThanOrEqual(utc('2024-01-01'));
    expect(req!.end).toBeGreaterThanOrEqual(utc('2025-01-01'));

    const again = await cache.getBars({ symbol: 'aapl', interval: '1d', start: '2024-06-03', end: '2024-07-05' });
    expect(again).toEqual(expected('AAPL', '2024-06-03', '2024-07-05'));
    expect(fx.calls('AAPL')).toBe(1);
    const s = cache.stats();
    expect(s.requests).toBe(2);
    expect(s.l1.hits).toBe(1);
    expect(s.l2.misses).toBe(1);
    expect(s.provider.calls).toBe(1);
  });

  it('never treats a weekend or a holiday inside a fetched range as a gap', async () => {
    const cache = await fx.open({ now });
    await cache.getBars({ symbol: 'MSFT', interval: '1d', start: '2024-12-02', end: '2024-12-31' });
    const calls = fx.calls();
    // Saturday and Sunday: no bars, and no provider call.
    expect(await cache.getBars({ symbol: 'MSFT', interval: '1d', start: '2024-12-07', end: '2024-12-08' })).toEqual([]);
    // Christmas Day 2024 (a Wednesday) is a holiday.
    expect(await cache.getBars({ symbol: 'MSFT', interval: '1d', start: '2024-12-25', end: '2024-12-25' })).toEqual([]);
    expect(fx.calls()).toBe(calls);
    expect(cache.stats().l1.hits).toBe(2);
  });

  it('returns inclusive ranges, ascending, without duplicates', async () => {
    const cache = await fx.open({ now });
    const bars = await cache.getBars({ symbol: 'NVDA', interval: '1d', start: '2024-05-01', end: '2024-05-10' });
    expect(bars[0]!.time).toBe(utc('2024-05-01'));
    expect(bars.at(-1)!.time).toBe(utc('2024-05-10'));
    const times = bars.map((b) => b.time);
    expect([...new Set(times)].sort((a, b) => a - b)).toEqual(times);
    // A single day, asked as [day, day]
    const one = await cache.getBars({ symbol: 'NVDA', interval: '1d', start: '2024-05-03', end: '2024-05-03' });
    expect(one.map((b) => b.time)).toEqual([utc('2024-05-03')]);
  });

  it('merges concurrent overlapping requests into one provider call (single flight)', async () => {
    const cache = await fx.open({ now });
    fx.server.setLatency(50);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        cache.getBars({ symbol: 'AMD', interval: '1d', start: utc('2024-02-01') + i * DAY, end: utc('2024-04-01') + i * DAY }),
      ),
    );
    expect(fx.calls('AMD')).toBe(1);
    expect(results[3]).toEqual(expected('AMD', utc('2024-02-04'), utc('2024-04-04')));
  });
});

describe('BarCache: the tiers', () => {
  it('survives a restart: a new instance serves from disk (L2) without the provider', async () => {
    const first = await fx.open({ now });
    const bars = await first.getBars({ symbol: 'IBM', interval: '1d', start: '2023-01-01', end: '2024-12-31' });
    await first.close();
    const second = await fx.open({ now });
    const again = await second.getBars({ symbol: 'IBM', interval: '1d', start: '2023-01-01', end: '2024-12-31' });
    expect(again).toEqual(bars);
    expect(fx.calls('IBM')).toBe(1);
    const s = second.stats();
    expect(s.l2.hits).toBe(1);
    expect(s.l1.hits).toBe(0);
    expect(s.provider.calls).toBe(0);
    expect(s.l2.bytes).toBeGreaterThan(0);
  });

  it('keeps L1 within memory.maxBytes by evicting least recently used series', async () => {
    const cache = await fx.open({ now, memory: { maxBytes: 64 * 1024 } });
    for (const symbol of ['A', 'B', 'C', 'D', 'E', 'F']) {
      await cache.getBars({ symbol, interval: '1d', start: '2024-01-01', end: '2024-12-31' });
    }
    const s = cache.stats();
    expect(s.l1.bytes).toBeLessThanOrEqual(64 * 1024);
    // A year read whole is ~14 KB of columns plus ~42 KB of row objects: one fits, not six.
    expect(s.l1.entries).toBeLessThanOrEqual(2);
    expect(s.l1.bytes).toBeGreaterThan(252 * 168);
    // Evicted series come back from disk, not from the provider.
    const calls = fx.calls();
    await cache.getBars({ symbol: 'A', interval: '1d', start: '2024-01-01', end: '2024-12-31' });
    expect(fx.calls()).toBe(calls);
    expect(cache.stats().l2.hits).toBe(1);
  });

  it('evicts whole least-recently-used series past disk.maxBytes, never the one in use', async () => {
    const probe = await fx.open({ now, dir: ':memory:' });
    await probe.getBars({ symbol: 'PROBE', interval: '1d', start: '2015-01-01', end: '2024-12-31' });
    const oneSeries = (await probe.listSeries())[0]!.bytes;
    await probe.close();

    const cache = await fx.open({ now, disk: { maxBytes: oneSeries * 2.5 } });
    for (const symbol of ['S1', 'S2', 'S3', 'S4']) {
      clock.now += 1000;
      await cache.getBars({ symbol, interval: '1d', start: '2015-01-01', end: '2024-12-31' });
    }
    const left = (await cache.listSeries()).map((s) => s.symbol);
    expect(left).toContain('S4');
    expect(left).not.toContain('S1');
    expect(cache.stats().l2.bytes).toBeLessThanOrEqual(oneSeries * 2.5);
  });
});

describe('BarCache: finality', () => {
  it('serves the forming bar but refetches it after the TTL; closed history is never refetched', async () => {
    clock.now = Date.parse('2025-03-05T17:00:00Z'); // Wednesday, New York session open
    const cache = await fx.open({ now, provisionalTtlMs: 60_000 });
    await cache.getBars({ symbol: 'TSLA', interval: '1d', start: '2025-02-03', end: '2025-03-05' });
    expect(fx.calls('TSLA')).toBe(1);

    clock.now += 30_000; // inside the TTL: served
    await cache.getBars({ symbol: 'TSLA', interval: '1d', start: '2025-02-03', end: '2025-03-05' });
    expect(fx.calls('TSLA')).toBe(1);

    clock.now += 60_000; // past the TTL: today's bar may have changed
    await cache.getBars({ symbol: 'TSLA', interval: '1d', start: '2025-02-03', end: '2025-03-05' });
    expect(fx.calls('TSLA')).toBe(2);
    const refetch = fx.server.chartRequests('TSLA')[1]!;
    // Only the not-yet-final tail is asked again, not the closed history.
    expect(refetch.start).toBeGreaterThanOrEqual(utc('2025-02-28'));

    clock.now += 10 * 60_000; // history alone is final: no call however old the fetch
    await cache.getBars({ symbol: 'TSLA', interval: '1d', start: '2025-02-03', end: '2025-02-21' });
    expect(fx.calls('TSLA')).toBe(2);
  });

  it('treats a range in the future as empty without asking the provider', async () => {
    const cache = await fx.open({ now });
    expect(await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2030-01-01', end: '2030-02-01' })).toEqual([]);
    expect(fx.calls()).toBe(0);
  });
});

describe('BarCache: prefetch (the backtest session)', () => {
  it('serves the seed workload (62 days × (bar + 30-day lookback) + whole period) from L1 after one call per symbol', async () => {
    const symbols = ['AAPL', 'MSFT'];
    const start = utc('2024-09-02');
    const end = start + 61 * DAY;
    const runWorkload = async (cache: BarCache) => {
      const { report } = await cache.prefetch({ symbols, interval: '1d', start, end, lookback: { days: 30 } });
      for (const symbol of symbols) {
        for (let day = start; day <= end; day += DAY) {
          await cache.getBars({ symbol, interval: '1d', start: day, end: day });
          await cache.getBars({ symbol, interval: '1d', start: day - 30 * DAY, end: day });
        }
        await cache.getBars({ symbol, interval: '1d', start, end });
      }
      return report;
    };
    const cold = await fx.open({ now });
    const report = await runWorkload(cold);
    expect(report.providerCalls).toBe(symbols.length);
    expect(report.symbols.map((r) => r.providerCalls)).toEqual(symbols.map(() => 1));
    expect(fx.calls()).toBe(symbols.length);
    const s = cold.stats();
    expect(s.requests).toBe(125 * symbols.length);
    expect(s.l1.hits).toBe(125 * symbols.length);
    expect(s.provider.calls).toBe(symbols.length);
    await cold.close();

    const warm = await fx.open({ now });
    const warmReport = await runWorkload(warm);
    expect(warmReport.providerCalls).toBe(0);
    expect(warmReport.symbols.every((r) => r.source === 'l2')).toBe(true);
    expect(fx.calls()).toBe(symbols.length);
    expect(warm.stats().l1.hits).toBe(125 * symbols.length);
  });

  it('extends the lookback when holidays leave it short, and reports what it found', async () => {
    const cache = await fx.open({ now });
    // 60 trading bars before 2 Jan 2024 span the Thanksgiving and Christmas holidays.
    const { report } = await cache.prefetch({ symbols: ['SPY'], interval: '1d', start: '2024-01-02', end: '2024-03-28', lookback: { bars: 60 } });
    const r = report.symbols[0]!;
    expect(r.lookbackSatisfied).toBe(true);
    expect(r.lookbackBars).toBeGreaterThanOrEqual(60);
    const lookback = cache.peekBars({ symbol: 'SPY', interval: '1d', start: r.start, end: utc('2024-01-01') });
    expect(lookback!.length).toBe(r.lookbackBars);
  });

  it('continues past a failed symbol and names it', async () => {
    const cache = await fx.open({ now });
    const progress: string[] = [];
    const { report } = await cache.prefetch({
      symbols: ['AAPL', 'NOSUCHSYMBOL', 'MSFT'],
      interval: '1d',
      start: '2024-06-03',
      end: '2024-06-28',
      onProgress: (e) => progress.push(`${e.symbol}:${e.status}`),
    });
    expect(report.failed).toEqual(['NOSUCHSYMBOL']);
    expect(report.symbols.find((s) => s.symbol === 'NOSUCHSYMBOL')!.error!.code).toBe(ErrorCode.UNKNOWN_SYMBOL);
    expect(progress).toHaveLength(3);
    expect(cache.peekBars({ symbol: 'MSFT', interval: '1d', start: '2024-06-03', end: '2024-06-28' })).toEqual(
      expected('MSFT', '2024-06-03', '2024-06-28'),
    );
  });

  it('pins prefetched series so the LRU cannot evict them until released', async () => {
    // 512 KiB holds each 5-year series whole (~70 KB), but not the six 10-year ones read after.
    const budget = 512 * 1024;
    const cache = await fx.open({ now, memory: { maxBytes: budget } });
    const session = await cache.prefetch({ symbols: ['P1', 'P2', 'P3'], interval: '1d', start: '2020-01-01', end: '2024-12-31' });
    const report = session.report;
    expect(report.symbols.some((s) => s.windowed)).toBe(false);
    for (const symbol of ['X1', 'X2', 'X3', 'X4', 'X5', 'X6']) {
      await cache.getBars({ symbol, interval: '1d', start: '2015-01-01', end: '2024-12-31' });
    }
    for (const symbol of ['P1', 'P2', 'P3']) {
      expect(cache.peekBars({ symbol, interval: '1d', start: '2020-01-01', end: '2024-12-31' })).toBeDefined();
    }
    expect(cache.stats().l1.pinnedEntries).toBe(3);
    session.release();
    expect(cache.stats().l1.pinnedEntries).toBe(0);
    session.release(); // idempotent
    expect(cache.stats().l1.pinnedEntries).toBe(0);
    expect(cache.stats().l1.bytes).toBeLessThanOrEqual(budget);
  });
});

describe('BarCache: bad input and failures', () => {
  it('rejects malformed queries with stable codes, and stays usable', async () => {
    const cache = await fx.open({ now });
    const cases: [Parameters<BarCache['getBars']>[0], string][] = [
      [{ symbol: '', interval: '1d', start: '2024-01-01', end: '2024-01-31' }, ErrorCode.INVALID_ARGUMENT],
      [{ symbol: 'AA PL', interval: '1d', start: '2024-01-01', end: '2024-01-31' }, ErrorCode.INVALID_ARGUMENT],
      [{ symbol: 'AAPL', interval: '1d', start: '2024-13-01', end: '2024-01-31' }, ErrorCode.INVALID_ARGUMENT],
      [{ symbol: 'AAPL', interval: '1d', start: 'yesterday', end: '2024-01-31' }, ErrorCode.INVALID_ARGUMENT],
      [{ symbol: 'AAPL', interval: '1d', start: '2024-02-01', end: '2024-01-31' }, ErrorCode.INVALID_ARGUMENT],
      [{ symbol: 'AAPL', interval: '2d' as never, start: '2024-01-01', end: '2024-01-31' }, ErrorCode.UNSUPPORTED_INTERVAL],
    ];
    for (const [q, code] of cases) {
      await expect(cache.getBars(q)).rejects.toMatchObject({ name: 'BarcacheError', code });
    }
    expect(fx.calls()).toBe(0);
    expect(await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-01-05' })).toHaveLength(4);
  });

  it('reports an unknown symbol as UNKNOWN_SYMBOL and stores nothing for it', async () => {
    const cache = await fx.open({ now });
    await expect(cache.getBars({ symbol: 'NOSUCHSYMBOL', interval: '1d', start: '2024-01-01', end: '2024-01-31' })).rejects.toMatchObject({
      code: ErrorCode.UNKNOWN_SYMBOL,
    });
    expect((await cache.listSeries()).map((s) => s.symbol)).not.toContain('NOSUCHSYMBOL');
    expect(cache.stats().provider.errors).toBe(1);
  });

  it('keeps stored bars when the provider is rate-limiting, and names the failure', async () => {
    const cache = await fx.open({ now });
    const before = await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-01', end: '2024-12-31' });
    fx.server.setFault({ kind: 'status', status: 429 });
    const err = await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2023-06-01', end: '2023-06-30' }).catch((e) => e);
    expect(err).toBeInstanceOf(BarcacheError);
    expect(err.code).toBe(ErrorCode.RATE_LIMITED);
    expect(err.details.symbol).toBe('AAPL');
    expect(await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-01', end: '2024-12-31' })).toEqual(before);
  });

  it('counts the retries a rate-limited but successful fetch took', async () => {
    const cache = await fx.open({ now });
    fx.server.failNext(2, 429);
    const bars = await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-01-31' });
    expect(bars).toEqual(expected('AAPL', '2024-01-02', '2024-01-31'));
    expect(fx.calls('AAPL')).toBe(3);
    expect(cache.stats().provider).toMatchObject({ calls: 1, retries: 2, errors: 0 });
  });

  it('never lets an empty answer erase stored bars', async () => {
    const cache = await fx.open({ now, provisionalTtlMs: 1000 });
    clock.now = Date.parse('2025-03-05T17:00:00Z');
    const before = await cache.getBars({ symbol: 'DLST', interval: '1d', start: '2025-01-02', end: '2025-03-05' });
    fx.server.setFault({ kind: 'empty' });
    clock.now += 5000;
    const after = await cache.getBars({ symbol: 'DLST', interval: '1d', start: '2025-01-02', end: '2025-03-05' });
    expect(fx.calls('DLST')).toBe(2);
    expect(after).toEqual(before);
  });

  it('in offline mode serves what is cached and names the missing ranges otherwise', async () => {
    const online = await fx.open({ now });
    await online.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-01', end: '2024-12-31' });
    await online.close();
    const offline = await fx.open({ now, offline: true });
    expect(await offline.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-03-01', end: '2024-03-31' })).toEqual(
      expected('AAPL', '2024-03-01', '2024-03-31'),
    );
    const err = await offline.getBars({ symbol: 'AAPL', interval: '1d', start: '2023-12-01', end: '2024-01-31' }).catch((e) => e);
    expect(err.code).toBe(ErrorCode.OFFLINE_MISS);
    expect(err.message).toContain('2023-12-01');
    expect(err.details.missing).toEqual([{ start: utc('2023-12-01'), end: utc('2024-01-01') }]);
    expect(fx.calls()).toBe(1);
  });

  it('fails with CLOSED after close()', async () => {
    const cache = await fx.open({ now });
    await cache.close();
    await expect(cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-01', end: '2024-01-31' })).rejects.toMatchObject({
      code: ErrorCode.CLOSED,
    });
  });
});

describe('BarCache: explain, listSeries, clear', () => {
  it('explains which tier would serve each part and what it would fetch', async () => {
    const cache = await fx.open({ now });
    await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-01', end: '2024-12-31' });
    const warm = await cache.explain({ symbol: 'AAPL', interval: '1d', start: '2024-03-01', end: '2024-03-31' });
    expect(warm.parts.map((p) => p.tier)).toEqual(['l1']);
    expect(warm.missing).toEqual([]);
    const cold = await cache.explain({ symbol: 'AAPL', interval: '1d', start: '2023-11-01', end: '2024-01-31' });
    expect(cold.parts.map((p) => p.tier)).toEqual(['provider', 'l1']);
    expect(cold.plannedRequests).toEqual([{ start: utc('2023-01-01'), end: utc('2024-01-01') }]);
    expect(fx.calls()).toBe(1);
  });

  it('lists series with coverage and size, and clears by symbol and by date', async () => {
    const cache = await fx.open({ now });
    await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2023-01-01', end: '2024-12-31' });
    await cache.getBars({ symbol: 'MSFT', interval: '1d', start: '2024-01-01', end: '2024-12-31' });
    const list = await cache.listSeries();
    expect(list.map((s) => s.symbol)).toEqual(['AAPL', 'MSFT']);
    const aapl = list[0]!;
    expect(aapl.bars).toBe(expected('AAPL', '2023-01-01', '2024-12-31').length);
    expect(aapl.covered[0]!.start).toBeLessThanOrEqual(utc('2023-01-01'));

    await cache.clear({ symbol: 'MSFT' });
    expect((await cache.listSeries()).map((s) => s.symbol)).toEqual(['AAPL']);

    await cache.clear({ before: '2024-01-01' });
    const [left] = await cache.listSeries();
    expect(left!.firstBar).toBeGreaterThanOrEqual(utc('2024-01-01'));
    expect(left!.covered[0]!.start).toBe(utc('2024-01-01'));
    // What was cleared is fetched again on demand; what was kept is not.
    const calls = fx.calls();
    await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-02-01', end: '2024-02-29' });
    expect(fx.calls()).toBe(calls);
    await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2023-02-01', end: '2023-02-28' });
    expect(fx.calls()).toBe(calls + 1);
  });
});
