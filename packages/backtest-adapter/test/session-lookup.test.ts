import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTempDir } from '@barcache/test-support';
import { createDataHook, createSessionLookup } from '@barcache/backtest-adapter';
import { fetchBarsDirect } from './direct-load.js';
import { cachesOnYahooServer } from './fixture.js';
import { DAY_MS as D } from '@barcache/cache-core';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const tmp = useTempDir('barcache-lookup-', { beforeEach, afterEach });
const fx = cachesOnYahooServer();

function thrown(fn: () => unknown): { code?: string; message?: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message?: string };
  }
  return { code: 'no error' };
}

describe('session lookup', () => {
  it('with an intraday `at` on a daily session, completedOnly returns only bars that have ended (no look-ahead)', async () => {
    const cache = await fx.cacheAt(tmp.path);
    const session = await createDataHook(cache).prepare({ symbols: ['SPY'], start: '2024-03-01', end: '2024-03-28', lookbackBars: 5 });
    const spy = await fetchBarsDirect(fx.server.url, 'SPY', day('2024-02-01'), day('2024-03-28'));
    const bar = (iso: string) => spy.find((b) => b.time === day(iso))!;
    expect(bar('2024-03-07')).toBeDefined();
    expect(bar('2024-03-08')).toBeDefined();

    // Friday 2024-03-08, 15:00Z: the market is open, the day's daily bar is not final yet.
    const intraday = '2024-03-08T15:00:00Z';
    const byStart = createSessionLookup(cache, session);
    expect(byStart.completedOnly).toBe(false);
    // The default rule (bar start <= at) is meant for `at` of the session's own interval: here it
    // would hand over that day's final close, which is why completedOnly exists.
    expect(byStart.barAt('SPY', intraday)).toEqual(expect.objectContaining(bar('2024-03-08')));

    const done = createSessionLookup(cache, session, { completedOnly: true });
    expect(done.barAt('SPY', intraday)).toEqual(expect.objectContaining(bar('2024-03-07')));
    const before = spy.filter((b) => b.time + D <= Date.parse(intraday));
    expect(done.window('SPY', intraday, 3)).toEqual(before.slice(-3).map((b) => expect.objectContaining(b)));
    expect(done.closes('SPY', intraday, 3)).toEqual(before.slice(-3).map((b) => b.close));
    // A daily bar is complete at 00:00 UTC of the next day; Monday intraday still sees Friday's bar.
    expect(done.barAt('SPY', '2024-03-09T00:00:00Z')).toEqual(expect.objectContaining(bar('2024-03-08')));
    expect(done.barAt('SPY', '2024-03-08T23:59:59Z')).toEqual(expect.objectContaining(bar('2024-03-07')));
    expect(done.barAt('SPY', '2024-03-11T15:00:00Z')).toEqual(expect.objectContaining(bar('2024-03-08')));
    // The last prepared bar (Thu 2024-03-28) is readable once it has ended.
    expect(done.barAt('SPY', '2024-03-29T00:00:00Z')).toEqual(expect.objectContaining(bar('2024-03-28')));
    expect(thrown(() => done.barAt('SPY', '2024-03-30T00:00:00Z')).code).toBe('INVALID_ARGUMENT');
    // Asking for more completed bars than the session holds is NO_DATA, as with the default rule.
    expect(thrown(() => done.window('SPY', intraday, 500)).code).toBe('NO_DATA');
    expect(done.reads).toBe(8); // the short window was read (then refused); the out-of-range one was not
  });

  it('throws NO_DATA naming the symbol and range for a prepared series with no bars', async () => {
    const cache = await fx.cacheAt(tmp.path);
    // 2024-10-05/06 is a weekend: prepare succeeds, with 0 bars.
    const session = await createDataHook(cache).prepare({ symbols: ['AAPL'], start: '2024-10-05', end: '2024-10-06' });
    expect(session.report.symbols[0]!.bars).toBe(0);
    const lookup = createSessionLookup(cache, session);
    for (const read of [() => lookup.barAt('AAPL', '2024-10-05'), () => lookup.window('AAPL', '2024-10-06', 1), () => lookup.closes('aapl', '2024-10-06', 2)]) {
      const err = thrown(read);
      expect(err.code).toBe('NO_DATA');
      expect(err.message).toMatch(/AAPL: the session holds no 1d bars in 2024-10-05\.\.2024-10-06/);
      expect(err.message).not.toMatch(/resident/);
    }
    expect(lookup.reads).toBe(0);
  });
});
