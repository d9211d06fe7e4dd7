import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataFrame } from 'data-forge';
import { backtest, type IStrategy } from 'grademark';
import { useTempDir } from '@barcache/test-support';
import { createSessionLookup, loadSeries, prepareSession, toGrademarkRows, type GrademarkBar } from '@barcache/backtest-adapter/grademark';
import { smaCrossoverWithMarketFilter } from '../src/demo/strategy.js';
import { fetchBarsDirect, withLookback } from './direct-load.js';
import { cacheOnServerPerFile } from '@barcache/test-support/vitest';

const START = '2023-01-03';
const END = '2024-12-31';
const S = Date.parse(`${START}T00:00:00Z`);
const E = Date.parse(`${END}T00:00:00Z`);
const LOOKBACK = 30;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** A plain SMA crossover (no cross-symbol reads). */
const crossover: IStrategy<GrademarkBar> = {
  lookbackPeriod: LOOKBACK,
  entryRule(enter, { lookback }) {
    const c = lookback.getSeries<number>('close').toArray();
    if (mean(c.slice(-10)) > mean(c)) enter();
  },
  exitRule(exit, { lookback }) {
    const c = lookback.getSeries<number>('close').toArray();
    if (mean(c.slice(-10)) < mean(c)) exit();
  },
  stopLoss: ({ entryPrice }) => entryPrice * 0.05,
};

const tmp = useTempDir('barcache-adapter-', { beforeEach, afterEach });
const fx = cacheOnServerPerFile();

describe('grademark through loadSeries', () => {
  it('gives the same trades as grademark on the same bars loaded directly; one provider call cold, none warm', async () => {
    const cold = await fx.open({ dir: tmp.path });
    const frame = await loadSeries(cold, { symbol: 'AAPL', interval: '1d', start: START, end: END, lookbackPeriod: LOOKBACK });
    expect(fx.server.chartRequests()).toHaveLength(1);
    expect(cold.stats().provider.calls).toBe(1);

    const direct = withLookback(await fetchBarsDirect(fx.server.url, 'AAPL', S - 120 * 86_400_000, E), S, E, LOOKBACK);
    const rows = frame.toArray();
    expect(rows).toHaveLength(direct.length);
    expect(rows.slice(0, LOOKBACK).every((r) => r.time.getTime() < S)).toBe(true);
    expect(rows[LOOKBACK]!.time.getTime()).toBeGreaterThanOrEqual(S);
    expect(rows).toEqual(toGrademarkRows(direct));

    const trades = backtest(crossover, frame);
    const reference = backtest(crossover, new DataFrame<number, GrademarkBar>(toGrademarkRows(direct)));
    expect(trades.length).toBeGreaterThan(3);
    expect(trades).toEqual(reference);

    await cold.close();
    fx.server.resetRequests();
    const warm = await fx.open({ dir: tmp.path });
    const again = await loadSeries(warm, { symbol: 'AAPL', start: START, end: END, lookbackPeriod: LOOKBACK });
    expect(fx.server.requests).toHaveLength(0);
    expect(warm.stats().provider.calls).toBe(0);
    expect(backtest(crossover, again)).toEqual(reference);
  });

  it('starts on a weekend before a holiday and ends on a holiday: the same bars and trades as a direct load, one call', async () => {
    // Sat 2023-01-14, Sun 01-15, Mon 01-16 (Martin Luther King Jr. Day): the first bar is Tue 01-17.
    // Thu 2024-11-28 is Thanksgiving: the last bar is Wed 11-27.
    const start = '2023-01-14';
    const end = '2024-11-28';
    const s = Date.parse(`${start}T00:00:00Z`);
    const e = Date.parse(`${end}T00:00:00Z`);
    const cache = await fx.open({ dir: tmp.path });
    const frame = await loadSeries(cache, { symbol: 'AAPL', start, end, lookbackPeriod: LOOKBACK });
    expect(fx.server.chartRequests()).toHaveLength(1);
    expect(cache.stats().provider.calls).toBe(1);

    const all = await fetchBarsDirect(fx.server.url, 'AAPL', s - 120 * 86_400_000, e);
    const direct = withLookback(all, s, e, LOOKBACK);
    const rows = frame.toArray();
    expect(rows).toEqual(toGrademarkRows(direct));
    expect(rows).toHaveLength(LOOKBACK + all.filter((b) => b.time >= s && b.time <= e).length);
    expect(rows[LOOKBACK - 1]!.time.toISOString()).toBe('2023-01-13T00:00:00.000Z');
    expect(rows[LOOKBACK]!.time.toISOString()).toBe('2023-01-17T00:00:00.000Z');
    expect(rows.at(-1)!.time.toISOString()).toBe('2024-11-27T00:00:00.000Z');

    const reference = backtest(crossover, new DataFrame<number, GrademarkBar>(toGrademarkRows(direct)));
    expect(reference.length).toBeGreaterThan(3);
    expect(backtest(crossover, frame)).toEqual(reference);
  });

  it('serves a cross-symbol market filter synchronously from the prepared session', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const session = await prepareSession(cache, { symbols: ['AAPL', 'MSFT', 'SPY'], start: START, end: END, lookbackPeriod: LOOKBACK });
    expect(fx.server.chartRequests()).toHaveLength(3);
    fx.server.resetRequests();

    const lookup = createSessionLookup(cache, session);
    const hitsBefore = cache.stats().l1.hits;
    const spy = await fetchBarsDirect(fx.server.url, 'SPY', S - 120 * 86_400_000, E);
    fx.server.resetRequests();
    // As of a Saturday: Friday's bar, never a later one.
    const sat = Date.parse('2024-03-09T00:00:00Z');
    expect(lookup.barAt('SPY', new Date(sat))).toEqual(expect.objectContaining(spy.filter((b) => b.time <= sat).at(-1)));
    expect(lookup.window('spy', '2024-03-08', 5).map((b) => b.close)).toEqual(spy.filter((b) => b.time <= sat).slice(-5).map((b) => b.close));
    expect(lookup.closes('SPY', START, LOOKBACK)).toHaveLength(LOOKBACK);
    expect(lookup.reads).toBe(3);
    // Every read is a cache.peekBars: an L1 hit in the cache's own stats (what the VS Code status bar shows).
    expect(cache.stats().l1.hits - hitsBefore).toBeGreaterThanOrEqual(3);
    expect(() => lookup.barAt('NVDA', START)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/NVDA was not prepared/) }));
    expect(() => lookup.barAt('SPY', '2025-06-02')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => lookup.window('SPY', START, 500)).toThrow(expect.objectContaining({ code: 'NO_DATA' }));

    // A real backtest whose rule reads SPY through the lookup equals the same backtest on directly loaded bars.
    const viaCache = backtest(smaCrossoverWithMarketFilter(session.lookup), await session.series('MSFT'));
    const msft = withLookback(await fetchBarsDirect(fx.server.url, 'MSFT', S - 120 * 86_400_000, E), S, E, LOOKBACK);
    const directLookup = {
      symbols: ['SPY'],
      reads: 0,
      completedOnly: false,
      barAt: () => undefined,
      window: () => [],
      closes: (_: string, at: string | number | Date, n: number) => spy.filter((b) => b.time <= new Date(at).getTime()).slice(-n).map((b) => b.close),
    };
    const reference = backtest(smaCrossoverWithMarketFilter(directLookup), new DataFrame<number, GrademarkBar>(toGrademarkRows(msft)));
    expect(viaCache.length).toBeGreaterThan(0);
    expect(viaCache).toEqual(reference);
    expect(session.lookup.reads).toBeGreaterThan(10);
    expect(cache.stats().provider.calls).toBe(3);
    session.release();
  });
});
