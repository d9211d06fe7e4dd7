/** 2h/3h/4h bars built from 1h bars, against bars computed by hand. */
import { describe, expect, it } from 'vitest';
import type { Bar } from '@barcache/cache-core';
import { aggregateHourly, sessionAnchor } from '@barcache/backtest-adapter/pinets';

const NY = 'America/New_York';
const z = (s: string) => Date.parse(s);
const bar = (time: string, open: number, high: number, low: number, close: number, volume: number): Bar => ({ time: z(time), open, high, low, close, volume });

// Yahoo's 1h bars of a New York stock start at 09:30 ET (14:30Z in November, EST); the last one of a
// day starts at 15:30 (a half hour to the close).
const hourly: Bar[] = [
  // Wed 2024-11-27, a full day: 09:30 … 15:30 ET.
  bar('2024-11-27T14:30:00Z', 100, 101, 99, 100.5, 10),
  bar('2024-11-27T15:30:00Z', 101, 102, 100, 101.5, 20),
  bar('2024-11-27T16:30:00Z', 102, 108, 101, 102.5, 30),
  bar('2024-11-27T17:30:00Z', 103, 104, 102, 103.5, 40),
  bar('2024-11-27T18:30:00Z', 104, 105, 103, 104.5, 50),
  bar('2024-11-27T19:30:00Z', 105, 106, 101, 105.5, 60),
  bar('2024-11-27T20:30:00Z', 106, 107, 105, 106.5, 70),
  // Fri 2024-11-29, the early close (13:00 ET): 09:30 … 12:30.
  bar('2024-11-29T14:30:00Z', 200, 201, 199, 200.5, 10),
  bar('2024-11-29T15:30:00Z', 201, 202, 200, 201.5, 20),
  bar('2024-11-29T16:30:00Z', 202, 203, 201, 202.5, 30),
  bar('2024-11-29T17:30:00Z', 203, 204, 202, 203.5, 40),
  // Mon 2024-12-02, its 09:30 bar missing (dropped for null prices, say).
  bar('2024-12-02T15:30:00Z', 301, 302, 300, 301.5, 20),
  bar('2024-12-02T16:30:00Z', 302, 303, 301, 302.5, 30),
  bar('2024-12-02T17:30:00Z', 303, 304, 302, 303.5, 40),
  bar('2024-12-02T18:30:00Z', 304, 305, 303, 304.5, 50),
  bar('2024-12-02T19:30:00Z', 305, 306, 304, 305.5, 60),
  bar('2024-12-02T20:30:00Z', 306, 307, 305, 306.5, 70),
];

describe('aggregateHourly', () => {
  it('anchors each day at the session open (09:30 New York), even on a day whose first bar is missing', () => {
    expect(sessionAnchor(hourly, NY)).toBe((9 * 60 + 30) * 60_000);
  });

  it('builds 4h bars as TradingView does for a stock: 09:30–13:30 and 13:30–16:00, one bar on an early-close day', () => {
    expect(aggregateHourly(hourly, 4, NY)).toEqual([
      { bar: bar('2024-11-27T14:30:00Z', 100, 108, 99, 103.5, 100), closeTime: z('2024-11-27T18:30:00Z') },
      { bar: bar('2024-11-27T18:30:00Z', 104, 107, 101, 106.5, 180), closeTime: z('2024-11-27T21:30:00Z') },
      { bar: bar('2024-11-29T14:30:00Z', 200, 204, 199, 203.5, 100), closeTime: z('2024-11-29T18:30:00Z') },
      // The missing 09:30 bar does not shift the day: the first slot still starts at 09:30.
      { bar: bar('2024-12-02T14:30:00Z', 301, 304, 300, 303.5, 90), closeTime: z('2024-12-02T18:30:00Z') },
      { bar: bar('2024-12-02T18:30:00Z', 304, 307, 303, 306.5, 180), closeTime: z('2024-12-02T21:30:00Z') },
    ]);
  });

  it('builds 2h bars the same way (09:30, 11:30, 13:30, 15:30)', () => {
    const full = aggregateHourly(hourly.slice(0, 7), 2, NY);
    expect(full.map((a) => [new Date(a.bar.time).toISOString().slice(11, 16), a.bar.open, a.bar.high, a.bar.low, a.bar.close, a.bar.volume])).toEqual([
      ['14:30', 100, 102, 99, 101.5, 30],
      ['16:30', 102, 108, 101, 103.5, 70],
      ['18:30', 104, 106, 101, 105.5, 110],
      ['20:30', 106, 107, 105, 106.5, 70],
    ]);
    expect(aggregateHourly([], 4, NY)).toEqual([]);
  });
});
