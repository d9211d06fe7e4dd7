import { describe, expect, it } from 'vitest';
import {
  ADJUSTED_AS_OF,
  dividendFactor,
  isTradingDay,
  listFixtures,
  loadFixture,
  makeTempDir,
  startYahooChartServer,
  syntheticDailyBars,
  syntheticIntradayBars,
  tradingDays,
  usMarketHolidays,
} from '../src/index.js';
import { existsSync } from 'node:fs';

describe('trading calendar', () => {
  it('knows the NYSE holidays and observed dates', () => {
    expect(usMarketHolidays(2024).map((h) => h.date)).toEqual([
      '2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25',
    ]);
    // 2022: New Year on a Saturday is not observed; Juneteenth (Sun) → Mon 20; Christmas (Sun) → Mon 26.
    expect(usMarketHolidays(2022).map((h) => h.date)).toContain('2022-06-20');
    expect(usMarketHolidays(2022).map((h) => h.date)).toContain('2022-12-26');
    expect(isTradingDay('2021-12-31')).toBe(true);
    expect(usMarketHolidays(2021).some((h) => h.name === 'Juneteenth')).toBe(false);
    expect(isTradingDay('2021-07-05')).toBe(false); // July 4th 2021 was a Sunday
    expect(tradingDays('2024-01-01', '2025-01-01')).toHaveLength(252);
    expect(tradingDays('2023-01-01', '2024-01-01')).toHaveLength(250);
  });
});

describe('synthetic bars', () => {
  it('are deterministic and agree across overlapping ranges', () => {
    const a = syntheticDailyBars({ symbol: 'AAPL', start: '2024-01-01', end: '2024-03-01' });
    const b = syntheticDailyBars({ symbol: 'AAPL', start: '2024-02-01', end: '2024-04-01' });
    const c = syntheticDailyBars({ symbol: 'MSFT', start: '2024-02-01', end: '2024-04-01' });
    expect(a.filter((x) => x.time >= Date.UTC(2024, 1, 1))).toEqual(b.filter((x) => x.time < Date.UTC(2024, 2, 1)));
    expect(c[0]?.close).not.toBe(b[0]?.close);
    for (const bar of a) {
      expect(isTradingDay(bar.time)).toBe(true);
      expect(bar.time % 86_400_000).toBe(0);
      expect(Math.fround(bar.close)).toBe(bar.close);
      expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
      expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
      expect(Number.isInteger(bar.volume)).toBe(true);
      expect(bar.adjClose).toBeLessThan(bar.close);
    }
    expect(syntheticDailyBars({ symbol: 'AAPL', start: '2024-01-02', end: '2024-01-03', inclusive: true })).toHaveLength(2);
  });

  it('adjusted closes follow quarterly dividends: close × a factor that steps only at ex-dates', () => {
    const bars = syntheticDailyBars({ symbol: 'AAPL', start: '2020-01-01', end: '2022-01-01' });
    let steps = 0;
    for (let i = 1; i < bars.length; i++) {
      const q0 = bars[i - 1]!.adjClose! / bars[i - 1]!.close;
      const q1 = bars[i]!.adjClose! / bars[i]!.close;
      const jump = q1 / q0 - 1;
      // Within a quarter only float32 rounding moves the ratio; at an ex-date earlier bars were cut by the dividend.
      if (Math.abs(jump) > 1e-6) {
        steps++;
        expect(jump).toBeGreaterThan(0);
        expect(jump).toBeLessThan(0.02);
      }
      expect(bars[i]!.adjClose).toBe(Math.fround(bars[i]!.close * dividendFactor('AAPL', bars[i]!.time)));
    }
    expect(steps).toBeGreaterThanOrEqual(7);
    expect(steps).toBeLessThanOrEqual(9);
    const later = syntheticDailyBars({ symbol: 'AAPL', start: ADJUSTED_AS_OF, end: ADJUSTED_AS_OF + 30 * 86_400_000 });
    for (const b of later) expect(b.adjClose).toBe(b.close);
  });

  it('intraday bars fill the New York session (DST-aware)', () => {
    const winter = syntheticIntradayBars({ symbol: 'AAPL', interval: '5m', start: '2024-01-02', end: '2024-01-03' });
    expect(winter).toHaveLength(78);
    expect(new Date(winter[0]!.time).toISOString()).toBe('2024-01-02T14:30:00.000Z');
    const summer = syntheticIntradayBars({ symbol: 'AAPL', interval: '1m', start: '2024-07-01', end: '2024-07-02' });
    expect(summer).toHaveLength(390);
    expect(new Date(summer[0]!.time).toISOString()).toBe('2024-07-01T13:30:00.000Z');
  });
});

describe('yahoo chart server', () => {
  it('answers with session-open timestamps, records requests, injects faults', async () => {
    const server = await startYahooChartServer({ symbols: { 'BHP.AX': { timezone: 'Australia/Sydney' } } });
    try {
      const get = (sym: string, p1: number, p2: number) =>
        fetch(`${server.url}/v8/finance/chart/${sym}?period1=${p1 / 1000}&period2=${p2 / 1000}&interval=1d&events=div%7Csplit`);
      const ny = (await (await get('AAPL', Date.UTC(2024, 0, 8), Date.UTC(2024, 0, 13))).json()) as any;
      expect(ny.chart.result[0].timestamp[0]).toBe(Date.UTC(2024, 0, 8, 14, 30) / 1000);
      const syd = (await (await get('BHP.AX', Date.UTC(2024, 0, 8), Date.UTC(2024, 0, 13))).json()) as any;
      expect(syd.chart.result[0].timestamp[0]).toBe(Date.UTC(2024, 0, 8, 23, 0) / 1000); // 10:00 AEDT on the 9th
      expect((await get('NOSUCHSYMBOL', Date.UTC(2024, 0, 8), Date.UTC(2024, 0, 13))).status).toBe(404);
      server.failNext(2, 429, { retryAfterSec: 1 });
      const r1 = await get('AAPL', Date.UTC(2024, 0, 8), Date.UTC(2024, 0, 13));
      expect(r1.status).toBe(429);
      expect(r1.headers.get('retry-after')).toBe('1');
      expect((await get('AAPL', Date.UTC(2024, 0, 8), Date.UTC(2024, 0, 13))).status).toBe(429);
      expect((await get('AAPL', Date.UTC(2024, 0, 8), Date.UTC(2024, 0, 13))).status).toBe(200);
      expect(server.chartRequests('AAPL')).toHaveLength(4);
      expect(server.chartRequests('aapl')[0]).toMatchObject({ interval: '1d', period1: Date.UTC(2024, 0, 8) / 1000, events: 'div|split' });
      server.setFault({ kind: 'hang', times: 1 });
      const hung = await fetch(`${server.url}/v8/finance/chart/AAPL?period1=1&period2=2`, { signal: AbortSignal.timeout(100) }).catch((e: Error) => e);
      expect(hung).toBeInstanceOf(Error);
    } finally {
      await server.close();
    }
  });

  it('ships fixtures', () => {
    expect(listFixtures()).toEqual(expect.arrayContaining(['404-not-found.json', 'aapl-1d-split-4-1.json', 'empty.json']));
    expect(loadFixture<any>('404-not-found.json').chart.error.code).toBe('Not Found');
  });
});

describe('temp dirs', () => {
  it('creates and removes', async () => {
    const dir = makeTempDir('ts-test-');
    expect(existsSync(dir.path)).toBe(true);
    await dir.cleanup();
    expect(existsSync(dir.path)).toBe(false);
  });
});
