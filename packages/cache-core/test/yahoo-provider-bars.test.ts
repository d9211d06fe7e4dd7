// The Yahoo provider's answers through the REAL yahoo-finance2 client against a loopback server
// that speaks Yahoo's chart JSON (no network): its name and limits, how daily, weekly, intraday and
// pre/post-market bars are named and cleaned, corporate actions, empty and unknown symbols.
import { describe, expect, it } from 'vitest';
import { syntheticDailyBars, syntheticIntradayBars } from '@barcache/test-support';
import { ErrorCode } from '../src/errors.js';
import { YAHOO_LIMITS } from '../src/provider/yahoo-limits.js';
import { DAY_MS as DAY } from '../src/intervals.js';
import { d, iso, provider, rejection, server, useYahooChartServer, withFixture } from './helpers/yahoo-provider.js';

useYahooChartServer();

describe('YahooProvider: identity and limits', () => {
  it('is named yahoo, or yahoo+prepost with pre/post-market bars, and exposes YAHOO_LIMITS', () => {
    expect(provider().name).toBe('yahoo');
    expect(provider({ includePrePost: true }).name).toBe('yahoo+prepost');
    expect(provider().limits.maxSpanMs['1m']).toBe(7 * DAY);
    expect(provider().limits.maxSpanMs['1d']).toBe(Infinity);
    expect(provider({ limits: { maxSpanMs: { '1m': DAY } } }).limits.maxSpanMs).toMatchObject({ '1m': DAY, '5m': 60 * DAY });
    expect(YAHOO_LIMITS.maxAgeMs['1h']).toBe(730 * DAY);
  });

  it('sends includePrePost=false by default (yahoo-finance2 defaults it to true) and true when asked', async () => {
    await provider().fetchBars({ symbol: 'AAPL', interval: '5m', start: Date.parse('2024-07-01T13:30Z'), end: Date.parse('2024-07-01T14:30Z') });
    await provider({ includePrePost: true }).fetchBars({ symbol: 'AAPL', interval: '5m', start: Date.parse('2024-07-01T13:30Z'), end: Date.parse('2024-07-01T14:30Z') });
    expect(server.chartRequests('AAPL').map((r) => r.includePrePost)).toEqual([false, true]);
    expect(server.chartRequests('AAPL')[0]?.events).toBe('div|split');
  });
});

describe('YahooProvider: daily normalisation', () => {
  it('New York in winter: session-open timestamps (14:30Z) become 00:00 UTC of the date', async () => {
    const res = await provider().fetchBars({ symbol: 'AAPL', interval: '1d', start: d('2024-01-08'), end: d('2024-01-13') });
    expect(res.bars.map((b) => iso(b.time))).toEqual(['2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11', '2024-01-12']);
    expect(res.bars.every((b) => b.time % DAY === 0)).toBe(true);
    expect(res.bars).toEqual(syntheticDailyBars({ symbol: 'AAPL', start: '2024-01-08', end: '2024-01-13' }));
    expect(res.exchangeTimezone).toBe('America/New_York');
    expect(res.droppedBars).toBe(0);
    // The request was widened by a day on each side; the server saw it in epoch seconds.
    const [req] = server.chartRequests('AAPL');
    expect(req).toMatchObject({ interval: '1d', period1: d('2024-01-07') / 1000, period2: d('2024-01-14') / 1000 });
  });

  it('New York in summer (13:30Z opens), skipping the 4th of July; the range is half-open', async () => {
    const res = await provider().fetchBars({ symbol: 'MSFT', interval: '1d', start: d('2024-07-01'), end: d('2024-07-08') });
    expect(res.bars.map((b) => iso(b.time))).toEqual(['2024-07-01', '2024-07-02', '2024-07-03', '2024-07-05']);
    const res2 = await provider().fetchBars({ symbol: 'MSFT', interval: '1d', start: d('2024-07-02'), end: d('2024-07-03') });
    expect(res2.bars.map((b) => iso(b.time))).toEqual(['2024-07-02']);
  });

  it('Sydney: a bar opening at 23:00Z the day before is named by its local date, events too', async () => {
    const res = await provider().fetchBars({ symbol: 'BHP.AX', interval: '1d', start: d('2024-03-04'), end: d('2024-03-09') });
    expect(res.bars.map((b) => iso(b.time))).toEqual(['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08']);
    expect(res.exchangeTimezone).toBe('Australia/Sydney');
    expect(res.splits).toEqual([{ time: d('2024-03-07'), numerator: 2, denominator: 1 }]);
    expect(res.dividends).toEqual([{ time: d('2024-03-06'), amount: 0.72 }]);
    // The fixture shaped like Yahoo's BHP.AX answer (Sydney 10:00 = 23:00Z in AEDT, 00:00Z in AEST).
    const fx = await withFixture('BHP.AX', 'bhp-ax-1d-sydney.json', (p) => p.fetchBars({ symbol: 'BHP.AX', interval: '1d', start: d('2024-03-25'), end: d('2024-04-12') }));
    expect(fx.bars.map((b) => iso(b.time))).toContain('2024-04-08');
    expect(fx.bars.every((b) => b.time % DAY === 0)).toBe(true);
    expect(new Set(fx.bars.map((b) => b.time)).size).toBe(fx.bars.length);
  });

  it('weekly bars are named by their exchange-local date too', async () => {
    const res = await provider().fetchBars({ symbol: 'AAPL', interval: '1wk', start: d('2024-01-01'), end: d('2024-02-01') });
    expect(res.bars.map((b) => iso(b.time))).toEqual(['2024-01-01', '2024-01-08', '2024-01-15', '2024-01-22', '2024-01-29']);
  });
});

describe('YahooProvider: data quality and corporate actions', () => {
  it('drops bars with a null price, counts them, and turns a null volume into 0', async () => {
    const start = Date.parse('2024-03-05T14:25:00Z');
    const res = await withFixture('AAPL', 'aapl-1m-nulls-at-open.json', (p) => p.fetchBars({ symbol: 'AAPL', interval: '1m', start, end: start + 12 * 60_000 }));
    // Fixture: 12 minutes; 09:27 and 09:29 have no prices, 09:31 no close, 09:30 no volume.
    expect(res.droppedBars).toBe(3);
    expect(res.bars).toHaveLength(9);
    const open = res.bars.find((b) => b.time === Date.parse('2024-03-05T14:30:00Z'));
    expect(open?.volume).toBe(0);
    expect(res.bars.every((b) => [b.open, b.high, b.low, b.close].every(Number.isFinite))).toBe(true);
  });

  it('drops null daily bars injected by the server', async () => {
    server.setFault({ kind: 'nullBars', every: 2 });
    const res = await provider().fetchBars({ symbol: 'AAPL', interval: '1d', start: d('2024-01-08'), end: d('2024-01-20') });
    expect(res.droppedBars).toBeGreaterThan(0);
    expect(res.bars.length + (res.droppedBars ?? 0)).toBe(9);
  });

  it('returns a 4:1 split (Yahoo-shaped fixture)', async () => {
    const [res, before] = await withFixture('AAPL', 'aapl-1d-split-4-1.json', async (p) => [
      await p.fetchBars({ symbol: 'AAPL', interval: '1d', start: d('2020-08-24'), end: d('2020-09-05') }),
      await p.fetchBars({ symbol: 'AAPL', interval: '1d', start: d('2020-08-24'), end: d('2020-08-29') }),
    ]);
    expect(res.bars).toHaveLength(10);
    expect(res.splits).toEqual([{ time: d('2020-08-31'), numerator: 4, denominator: 1 }]);
    expect(res.bars[0]?.adjClose).toBeLessThan(res.bars[0]!.close);
    // Outside the range the split is not reported.
    expect(before.splits).toBeUndefined();
    expect(before.bars).toHaveLength(5);
  });

  it('returns dividends', async () => {
    const res = await withFixture('KO', 'ko-1d-dividends.json', (p) => p.fetchBars({ symbol: 'KO', interval: '1d', start: d('2024-03-11'), end: d('2024-06-18') }));
    expect(res.dividends).toEqual([
      { time: d('2024-03-14'), amount: 0.485 },
      { time: d('2024-06-14'), amount: 0.485 },
    ]);
  });

  it('intraday bars keep their epoch ms and the request is not widened', async () => {
    const start = Date.parse('2024-07-01T13:30:00Z');
    const end = Date.parse('2024-07-01T15:00:00Z');
    const res = await provider().fetchBars({ symbol: 'AAPL', interval: '5m', start, end });
    expect(res.bars).toEqual(syntheticIntradayBars({ symbol: 'AAPL', interval: '5m', start, end }));
    expect(res.bars).toHaveLength(18);
    expect(res.bars[0]?.time).toBe(start);
    expect(server.chartRequests('AAPL')[0]).toMatchObject({ interval: '5m', period1: start / 1000, period2: end / 1000 });
  });
});

describe('YahooProvider: empty and unknown', () => {
  it('an empty chart is not an error: bars []', async () => {
    server.setFault({ kind: 'empty' });
    expect((await provider().fetchBars({ symbol: 'AAPL', interval: '1d', start: d('2024-01-08'), end: d('2024-01-13') })).bars).toEqual([]);
    server.clearFaults();
    const fixed = await withFixture('AAPL', 'empty.json', (p) => p.fetchBars({ symbol: 'AAPL', interval: '1d', start: d('2024-03-04'), end: d('2024-03-05') }));
    expect(fixed.bars).toEqual([]);
    // A weekend: Yahoo answers with no timestamps.
    expect((await provider().fetchBars({ symbol: 'AAPL', interval: '1d', start: d('2024-01-06'), end: d('2024-01-08') })).bars).toEqual([]);
  });

  it('a 404 is UNKNOWN_SYMBOL after one request (no retries)', async () => {
    const err = await rejection(provider().fetchBars({ symbol: 'NOSUCHSYMBOL', interval: '1d', start: d('2024-01-08'), end: d('2024-01-13') }));
    expect(err.code).toBe(ErrorCode.UNKNOWN_SYMBOL);
    expect(err.details).toMatchObject({ symbol: 'NOSUCHSYMBOL', interval: '1d', start: d('2024-01-08'), end: d('2024-01-13'), attempts: 1 });
    expect(err.cause).toBeDefined();
    expect(server.chartRequests('NOSUCHSYMBOL')).toHaveLength(1);
  });
});

describe('YahooProvider: pre/post-market', () => {
  it('yahoo+prepost gets the extended session (04:00–20:00 New York)', async () => {
    const start = Date.parse('2024-07-01T00:00:00Z');
    const end = Date.parse('2024-07-02T00:00:00Z');
    const regular = await provider().fetchBars({ symbol: 'AAPL', interval: '30m', start, end });
    const extended = await provider({ includePrePost: true }).fetchBars({ symbol: 'AAPL', interval: '30m', start, end });
    expect(regular.bars).toHaveLength(13);
    expect(extended.bars).toHaveLength(32);
    expect(new Date(extended.bars[0]!.time).toISOString()).toBe('2024-07-01T08:00:00.000Z');
  });
});
