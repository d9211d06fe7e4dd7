import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bar } from '@barcache/cache-core';
import { useTempDir } from '@barcache/test-support';
import { createDataHook } from '@barcache/backtest-adapter';
import { loadSeries } from '@barcache/backtest-adapter/grademark';
import { fetchBarsDirect } from './direct-load.js';
import { cachesOnYahooServer } from './fixture.js';
import { DAY_MS as D } from '@barcache/cache-core';

const tmp = useTempDir('barcache-hook-', { beforeEach, afterEach });
const fx = cachesOnYahooServer({ retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 5 } });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return 'no error';
}

describe('createDataHook', () => {
  it("runs the seed's 62-day engine pattern at one provider call per symbol, every request a memory hit", async () => {
    const cache = await fx.cacheAt(tmp.path);
    const hook = createDataHook(cache);
    const { report } = await hook.prepare({ symbols: ['AAPL', 'MSFT'], start: '2024-07-01', end: '2024-09-26', lookbackDays: [30, 5] });
    expect(report.providerCalls).toBe(2);
    expect(fx.server.chartRequests()).toHaveLength(2);
    // The reference: every bar of the plan, lookback included, read straight from the server.
    const direct = new Map<string, Bar[]>();
    for (const symbol of ['AAPL', 'MSFT']) direct.set(symbol, await fetchBarsDirect(fx.server.url, symbol, Date.UTC(2024, 6, 1) - 30 * D, Date.UTC(2024, 8, 26)));
    const between = (symbol: string, from: number, to: number) =>
      direct.get(symbol)!.filter((b) => b.time >= from && b.time <= to).map((b) => expect.objectContaining(b));
    const days = direct.get('AAPL')!.filter((b) => b.time >= Date.UTC(2024, 6, 1)).map((b) => b.time);
    fx.server.resetRequests();
    expect(days).toHaveLength(62);
    const before = cache.stats();
    for (const now of days) {
      for (const symbol of ['AAPL', 'MSFT']) {
        const today = await hook.getBars(symbol, now, now);
        expect(today).toEqual(between(symbol, now, now));
        expect(today.map((b) => b.time)).toEqual([now]);
        const lookback = await hook.getBars(symbol, now - 30 * D, now);
        expect(lookback).toEqual(between(symbol, now - 30 * D, now));
      }
    }
    const whole = await hook.getBars('AAPL', days[0]!, days.at(-1)!);
    expect(whole).toHaveLength(62);
    const after = cache.stats();
    expect(after.requests - before.requests).toBe(62 * 4 + 1);
    expect(after.l1.hits - before.l1.hits).toBe(62 * 4 + 1);
    expect(fx.server.requests).toHaveLength(0);
    hook.release();
    expect(hook.session).toBeUndefined();
  });

  it('rejects bad input with stable codes before fetching anything', async () => {
    const cache = await fx.cacheAt(tmp.path);
    const hook = createDataHook(cache);
    expect(await codeOf(hook.getBars('', '2024-01-02', '2024-01-05'))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(hook.getBars(undefined as unknown as string, '2024-01-02', '2024-01-05'))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(hook.getBars('AAPL', '2024-01-05', '2024-01-02'))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(hook.getBars('AAPL', '2024-01-02', '2024-01-05', '7d' as '1d'))).toBe('UNSUPPORTED_INTERVAL');
    expect(await codeOf(hook.prepare({ symbols: [], start: '2024-01-02', end: '2024-01-05' }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(hook.prepare({ symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-05', lookbackBars: 0 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(hook.prepare({ symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-05', lookbackDays: [30, 2.5] }))).toBe('INVALID_ARGUMENT');
    const base = { symbol: 'AAPL', start: '2024-01-02', end: '2024-06-28', lookbackPeriod: 30 };
    expect(await codeOf(loadSeries(cache, { ...base, symbol: undefined as unknown as string }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(loadSeries(cache, { ...base, lookbackPeriod: 0 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(loadSeries(cache, { ...base, lookbackPeriod: -5 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(loadSeries(cache, { ...base, lookbackPeriod: 2.5 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(loadSeries(cache, { ...base, start: '2024-06-28', end: '2024-01-02' }))).toBe('INVALID_ARGUMENT');
    expect(fx.server.requests).toHaveLength(0);
  });

  it('answers NO_DATA for a range without bars', async () => {
    const cache = await fx.cacheAt(tmp.path);
    const hook = createDataHook(cache);
    // 2024-10-05/06 is a weekend.
    expect(await codeOf(hook.getBars('AAPL', '2024-10-05', '2024-10-06'))).toBe('NO_DATA');
    expect(await createDataHook(cache, { onEmpty: 'empty' }).getBars('AAPL', '2024-10-05', '2024-10-06')).toEqual([]);
    expect(await codeOf(loadSeries(cache, { symbol: 'AAPL', start: '2024-10-05', end: '2024-10-06', lookbackPeriod: 5 }))).toBe('NO_DATA');
  });

  it('names the symbol and range when the provider fails during prepare, and keeps what was cached', async () => {
    const cache = await fx.cacheAt(tmp.path);
    const hook = createDataHook(cache);
    await hook.prepare({ symbols: ['AAPL'], start: '2024-03-01', end: '2024-03-28' });
    const cached = await hook.getBars('AAPL', '2024-03-01', '2024-03-28');
    expect(cached.length).toBeGreaterThan(15);

    fx.server.setFault({ kind: 'status', status: 503 });
    let err: { code?: string; message?: string; details?: Record<string, unknown> } = {};
    try {
      await hook.prepare({ symbols: ['AAPL', 'MSFT'], start: '2023-01-03', end: '2024-03-28', lookbackBars: 30 });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toMatch(/PROVIDER_FAILED|PROVIDER_BAD_RESPONSE/);
    expect(err.message).toMatch(/AAPL 1d 20\d\d-\d\d-\d\d\.\.2024-03-28/);
    expect(err.message).toMatch(/MSFT 1d/);
    expect(err.details?.failed).toHaveLength(2);
    fx.server.clearFaults();

    await cache.close();
    const offline = await fx.cacheAt(tmp.path, { offline: true });
    expect(await offline.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-03-01', end: '2024-03-28' })).toEqual(cached);
  });
});
