import { describe, expect, it } from 'vitest';
import type { Bar } from '@barcache/cache-core';
import { createBacktestKitGetCandles, toBacktestKitCandles, toBacktestKitInterval } from '../src/backtest-kit.js';
import { DAY_MS as D } from '@barcache/cache-core';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const bar = (iso: string, close: number): Bar => ({ time: day(iso), open: close - 1, high: close + 1, low: close - 2, close, volume: 1000 });

// Thu 2024-10-03, Fri 10-04, (weekend), Mon 10-07, Tue 10-08
const bars = [bar('2024-10-03', 10), bar('2024-10-04', 11), bar('2024-10-07', 12), bar('2024-10-08', 13)];

describe('backtest-kit candles (no framework installed)', () => {
  it('gives exactly `limit` candles on the 24/7 grid, forward-filling closed days', () => {
    const c = toBacktestKitCandles(bars, day('2024-10-04'), 5, D);
    expect(c.map((x) => x.timestamp)).toEqual([0, 1, 2, 3, 4].map((i) => day('2024-10-04') + i * D));
    expect(c.map((x) => x.close)).toEqual([11, 11, 11, 12, 13]);
    expect(c[1]).toEqual({ timestamp: day('2024-10-05'), open: 11, high: 11, low: 11, close: 11, volume: 0 });
  });

  it('fills a leading gap from the bar before `since`, and fails clearly without one', () => {
    expect(toBacktestKitCandles(bars, day('2024-10-05'), 2, D).map((x) => x.close)).toEqual([11, 11]);
    expect(() => toBacktestKitCandles(bars, day('2024-10-01'), 2, D)).toThrow(expect.objectContaining({ code: 'NO_DATA' }));
  });

  it('leaves empty slots out with fill: none (24/7 markets)', () => {
    expect(toBacktestKitCandles(bars, day('2024-10-04'), 5, D, 'none').map((x) => x.close)).toEqual([11, 12, 13]);
  });

  it('maps intervals and rejects the ones Yahoo lacks', () => {
    expect(toBacktestKitInterval('1h')).toEqual({ interval: '1h', stepMs: 3_600_000 });
    expect(() => toBacktestKitInterval('4h')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_INTERVAL' }));
  });

  it('serves the exchange hook from a bar source, asking once per call with padding for the fill', async () => {
    const asked: [string, number, number, string | undefined][] = [];
    const getCandles = createBacktestKitGetCandles({
      async getBars(symbol, start, end, interval) {
        asked.push([symbol, start as number, end as number, interval]);
        return bars.filter((b) => b.time >= (start as number) && b.time <= (end as number));
      },
    });
    const c = await getCandles('AAPL', '1d', new Date(day('2024-10-05')), 3, true);
    expect(c.map((x) => x.close)).toEqual([11, 11, 12]);
    expect(asked).toEqual([['AAPL', day('2024-10-05') - 10 * D, day('2024-10-08') - 1, '1d']]);
  });
});
