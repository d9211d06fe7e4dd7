/**
 * The adapters on the columnar window (cache.peekColumns), through the real grademark and
 * technicalindicators packages against the loopback Yahoo server: the same results as the row
 * path, and never a window short of bars (a range memory holds only part of is fetched or refused).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataFrame } from 'data-forge';
import { backtest, type IStrategy } from 'grademark';
import { SMA } from 'technicalindicators';
import { DAY_MS as D, type Bar, type ColumnWindow } from '@barcache/cache-core';
import { useTempDir } from '@barcache/test-support';
import { createDataHook, createSessionLookup } from '@barcache/backtest-adapter';
import { prepareSession, toGrademarkRows, type GrademarkBar } from '@barcache/backtest-adapter/grademark';
import { smaCrossoverWithMarketFilter } from '../src/demo/strategy.js';
import { fetchBarsDirect, withLookback } from './direct-load.js';
import { cacheOnServerPerFile } from '@barcache/test-support/vitest';

const START = '2023-01-03';
const END = '2024-12-31';
const S = Date.parse(`${START}T00:00:00Z`);
const E = Date.parse(`${END}T00:00:00Z`);

const tmp = useTempDir('barcache-columnar-', { beforeEach, afterEach });
const fx = cacheOnServerPerFile();

const rowsOf = (w: ColumnWindow) => Array.from(w.time, (time, i) => ({ time, close: w.close[i]!, volume: w.volume[i]! }));
const rowsOfBars = (bars: readonly Bar[]) => bars.map((b) => ({ time: b.time, close: b.close, volume: b.volume }));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const crossover = (lookbackPeriod: number): IStrategy<GrademarkBar> => ({
  lookbackPeriod,
  entryRule(enter, { lookback }) {
    const c = lookback.getSeries<number>('close').toArray();
    if (mean(c.slice(-10)) > mean(c)) enter();
  },
  exitRule(exit, { lookback }) {
    const c = lookback.getSeries<number>('close').toArray();
    if (mean(c.slice(-10)) < mean(c)) exit();
  },
});

describe('grademark on the columnar window', () => {
  it('series() builds the frame from columns: the same rows and trades as the row path, and no cache rows made', async () => {
    const cache = await fx.open({ dir: tmp.path });
    await using session = await prepareSession(cache, { symbols: ['AAPL', 'MSFT', 'SPY'], start: START, end: END, lookbackPeriod: 120 });
    const bytesBefore = cache.stats().l1.bytes;
    const frames = new Map<string, GrademarkBar[]>();
    for (const symbol of session.symbols) frames.set(symbol, (await session.series(symbol)).toArray());
    // Built from the typed arrays: the cache made (and holds) no row objects for it.
    expect(cache.stats().l1.bytes).toBe(bytesBefore);

    for (const symbol of session.symbols) {
      const viaColumns = frames.get(symbol)!;
      const viaRows = toGrademarkRows(await session.bars(symbol)); // the row path (getBars)
      expect(viaColumns).toEqual(viaRows);
      // 120 lookback bars (across the 2022/2023 year boundary and its holidays), then every bar.
      const direct = withLookback(await fetchBarsDirect(fx.server.url, symbol, S - 250 * D, E), S, E, 120);
      expect(viaColumns).toEqual(toGrademarkRows(direct));
      const trades = backtest(crossover(120), new DataFrame<number, GrademarkBar>(viaColumns));
      expect(trades.length).toBeGreaterThan(0);
      expect(trades).toEqual(backtest(crossover(120), new DataFrame<number, GrademarkBar>(viaRows)));
    }
    // The row path built the cache's rows: what series() saved.
    expect(cache.stats().l1.bytes).toBeGreaterThan(bytesBefore);

    // A rule reading SPY's closes through the lookup (columns) gives the trades of one reading rows.
    const rowsLookup = { ...session.lookup, closes: (s: string, at: string | number | Date, n: number) => session.lookup.window(s, at, n).map((b) => b.close) };
    const msft = new DataFrame<number, GrademarkBar>(frames.get('MSFT')!);
    const viaColumnsLookup = backtest(smaCrossoverWithMarketFilter(session.lookup), msft);
    expect(viaColumnsLookup.length).toBeGreaterThan(0);
    expect(viaColumnsLookup).toEqual(backtest(smaCrossoverWithMarketFilter(rowsLookup), msft));
  });

  it('a series memory holds only part of still gives the whole frame (never a short one)', async () => {
    // A budget far below one series: the session keeps a sliding window of it, so a window over the
    // whole range is not in memory and series() must not build the frame from the part that is.
    const cache = await fx.open({ dir: tmp.path, memory: { maxBytes: 20_000 } });
    const start = '2015-01-02';
    const s = Date.parse(`${start}T00:00:00Z`);
    await using session = await prepareSession(cache, { symbols: ['AAPL'], start, end: END, lookbackPeriod: 30 });
    expect(cache.peekColumns({ symbol: 'AAPL', interval: '1d', start: session.report.symbols[0]!.start, end: E })).toBeUndefined();
    const frame = (await session.series('AAPL')).toArray();
    const direct = withLookback(await fetchBarsDirect(fx.server.url, 'AAPL', s - 120 * D, E), s, E, 30);
    expect(frame).toHaveLength(direct.length);
    expect(frame).toEqual(toGrademarkRows(direct));
  });
});

describe('the generic hook and the session lookup on the columnar window', () => {
  it('getColumns equals getBars inside the plan, and fetches (never shortens) a range reaching outside it', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const hook = createDataHook(cache);
    await hook.prepare({ symbols: ['AAPL'], start: '2024-03-01', end: '2024-06-28', lookbackBars: 30 });
    const days = (await hook.getBars('AAPL', '2024-03-01', '2024-06-28')).map((b) => b.time);
    const hitsBefore = cache.stats().l1.hits;
    for (const now of days) {
      const w = await hook.getColumns('AAPL', now - 40 * D, now);
      expect(w.close.buffer.byteLength).toBeGreaterThan(w.length * 8); // a view of the resident series, not a copy
      expect(rowsOf(w)).toEqual(rowsOfBars(await hook.getBars('AAPL', now - 40 * D, now)));
    }
    expect(cache.stats().l1.hits - hitsBefore).toBe(days.length * 2);

    // Half of this range is outside the plan: memory holds only part of it.
    const callsBefore = fx.calls('AAPL');
    const wide = await hook.getColumns('AAPL', '2023-06-01', '2024-06-28');
    const truth = await fetchBarsDirect(fx.server.url, 'AAPL', Date.UTC(2023, 5, 1), Date.UTC(2024, 5, 28));
    expect(wide.length).toBe(truth.length);
    expect(Array.from(wide.time)).toEqual(truth.map((b) => b.time));
    expect(fx.calls('AAPL')).toBeGreaterThan(callsBefore); // fetched, not cut short
    // An SMA from technicalindicators on the window equals the one on getBars' closes.
    const closes = (await hook.getBars('AAPL', '2023-06-01', '2024-06-28')).map((b) => b.close);
    expect(SMA.calculate({ period: 20, values: wide.close as unknown as number[] })).toEqual(SMA.calculate({ period: 20, values: closes }));
    await expect(hook.getColumns('AAPL', '2024-03-02', '2024-03-03')).rejects.toMatchObject({ code: 'NO_DATA' }); // a weekend
    hook.release();
  });

  it('lookup.columns is exactly window() as typed arrays, and NO_DATA rather than fewer bars', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const hook = createDataHook(cache);
    const session = await hook.prepare({ symbols: ['SPY'], start: '2024-03-01', end: '2024-06-28', lookbackBars: 30 });
    const lookup = createSessionLookup(cache, session);
    const daily = createSessionLookup(cache, session, { completedOnly: true });
    for (const at of ['2024-03-08', '2024-04-01', Date.parse('2024-05-15T15:00:00Z'), '2024-06-28']) {
      for (const [l, n] of [[lookup, 1], [lookup, 30], [daily, 30], [daily, 5]] as const) {
        const w = l.columns('SPY', at, n);
        expect(w.length).toBe(n);
        expect(rowsOf(w)).toEqual(rowsOfBars(l.window('SPY', at, n)));
        expect(l.closes('SPY', at, n)).toEqual(l.window('SPY', at, n).map((b) => b.close));
      }
    }
    // More bars than the session holds before `at`: refused, not a shorter window.
    const held = lookup.window('SPY', '2024-03-08', 1);
    expect(held).toHaveLength(1);
    expect(() => lookup.columns('SPY', '2024-03-08', 200)).toThrow(expect.objectContaining({ code: 'NO_DATA' }));
    expect(() => lookup.closes('SPY', '2024-03-08', 200)).toThrow(expect.objectContaining({ code: 'NO_DATA' }));
    hook.release();
  });
});
