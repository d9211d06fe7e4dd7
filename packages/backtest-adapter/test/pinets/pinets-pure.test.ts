import { describe, expect, it } from 'vitest';
import { isBarcacheError } from '@barcache/cache-core';
import { CHART, barSpan, findSecurityCalls, hoursPerBar, pineTimeframeToInterval, planPineRun, zonedMidnight } from '@barcache/backtest-adapter/pinets';

const D = 86_400_000;
const utc = (s: string) => Date.parse(s);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isBarcacheError(err) ? err.code : `not coded: ${String(err)}`;
  }
  return undefined;
}

describe('findSecurityCalls', () => {
  it('reads literal symbol/timeframe, the chart forms, named arguments and calc_bars_count; skips comments and strings', () => {
    const src = `//@version=5
indicator("x") // request.security("COMMENTED", "D", close)
a = request.security("SPY", "D", close)
b = request.security(syminfo.tickerid, 'W', ta.sma(close, 4), lookahead = barmerge.lookahead_off)
c = request.security(symbol = "NASDAQ:QQQ", timeframe = "60", expression = close, calc_bars_count = 200, ignore_invalid_symbol = true)
d = request.security("", timeframe.period, open)
s = "request.security(\\"INSTRING\\", \\"D\\", close)"
e = request.security(input.symbol("MSFT"), "D", close)
f = request.security_lower_tf("SPY", "5", close)
g = request.security(
     "IWM",
     "M",
     close)
`;
    const calls = findSecurityCalls(src);
    expect(calls.map((c) => [c.line, c.symbol, c.timeframe, c.calcBarsCount, c.dynamic])).toEqual([
      [3, 'SPY', 'D', undefined, undefined],
      [4, CHART, 'W', undefined, undefined],
      [5, 'NASDAQ:QQQ', '60', 200, undefined],
      [6, CHART, CHART, undefined, undefined],
      [8, undefined, 'D', undefined, 'symbol input.symbol("MSFT") is not a literal'],
      [10, 'IWM', 'M', undefined, undefined],
    ]);
    expect(calls[0]!.text).toBe('request.security("SPY", "D", close)');
    expect(calls.map((c) => c.ignoreInvalidSymbol === true)).toEqual([false, false, true, false, false, false]);
    expect(calls[5]!.text).toBe('request.security( "IWM", "M", close)');
  });
});

describe('Pine timeframes', () => {
  it('maps what Yahoo serves and refuses the rest with UNSUPPORTED_INTERVAL', () => {
    const served = ['1', '5', '15', '30', '60', '1h', '120', '180', '240', '4h', '4H', 'D', '1D', 'd', 'W', '1W', 'M', '1M', '3M'].map((t) => pineTimeframeToInterval(t));
    expect(served).toEqual(['1m', '5m', '15m', '30m', '1h', '1h', '1h', '1h', '1h', '1h', '1h', '1d', '1d', '1d', '1wk', '1wk', '1mo', '1mo', '3mo']);
    expect(['60', '120', '180', '240', '4h', 'D'].map(hoursPerBar)).toEqual([1, 2, 3, 4, 4, 1]);
    for (const t of ['3', '45', '1S', '2D', '2W', '6M', '12M', '', 'X']) expect(codeOf(() => pineTimeframeToInterval(t)), t).toBe('UNSUPPORTED_INTERVAL');
    expect(codeOf(() => pineTimeframeToInterval(undefined))).toBe('UNSUPPORTED_INTERVAL');
  });
});

describe('candle times', () => {
  it('a daily bar spans its trading date in the exchange zone (DST included), east and west of UTC', () => {
    // New York: EST in January (UTC−5), EDT in July (UTC−4); the DST switch day 2024-03-10.
    expect(barSpan('1d', utc('2024-01-05'), { timezone: 'America/New_York' })).toEqual({ openTime: utc('2024-01-05T05:00:00Z'), closeTime: utc('2024-01-06T05:00:00Z') });
    expect(barSpan('1d', utc('2024-07-05'), { timezone: 'America/New_York' }).openTime).toBe(utc('2024-07-05T04:00:00Z'));
    expect(zonedMidnight(utc('2024-03-10'), 'America/New_York')).toBe(utc('2024-03-10T05:00:00Z'));
    expect(zonedMidnight(utc('2024-03-11'), 'America/New_York')).toBe(utc('2024-03-11T04:00:00Z'));
    // Sydney, UTC+11 in January: midnight is the previous UTC day.
    expect(barSpan('1d', utc('2024-01-05'), { timezone: 'Australia/Sydney' }).openTime).toBe(utc('2024-01-04T13:00:00Z'));
    expect(barSpan('1d', utc('2024-01-05'), { timezone: 'UTC' })).toEqual({ openTime: utc('2024-01-05'), closeTime: utc('2024-01-06') });
  });

  it('weekly and monthly bars close after their last weekday (or when the next opens, with weekendTrading); intraday after one interval', () => {
    const utcOpts = { timezone: 'UTC' };
    expect(barSpan('1wk', utc('2024-03-04'), utcOpts).closeTime).toBe(utc('2024-03-09'));
    expect(barSpan('1wk', utc('2024-03-04'), { ...utcOpts, weekendTrading: true }).closeTime).toBe(utc('2024-03-11'));
    // August 2024 ends on a Saturday: its last weekday is Friday the 30th.
    expect(barSpan('1mo', utc('2024-08-01'), utcOpts).closeTime).toBe(utc('2024-08-31'));
    expect(barSpan('1mo', utc('2024-07-01'), utcOpts).closeTime).toBe(utc('2024-08-01'));
    expect(barSpan('3mo', utc('2024-07-01'), utcOpts).closeTime).toBe(utc('2024-10-01'));
    expect(barSpan('1h', utc('2024-03-04T14:30:00Z'), { timezone: 'America/New_York' })).toEqual({
      openTime: utc('2024-03-04T14:30:00Z'),
      closeTime: utc('2024-03-04T15:30:00Z'),
    });
  });
});

describe('planPineRun', () => {
  const base = { symbol: 'AAPL', timeframe: 'D', start: utc('2023-01-03'), end: utc('2024-12-31'), now: utc('2025-01-10') };

  it('plans the chart and each request.security series once, 31 days ahead of the chart', () => {
    const plan = planPineRun({
      ...base,
      script: 'a = request.security("SPY", "D", close)\nb = request.security("spy", "1D", open)\nc = request.security("AAPL", "D", close)',
      securities: [{ symbol: 'MSFT', timeframe: 'W' }],
    });
    expect(plan.series.map((s) => [s.symbol, s.interval, s.start, s.end])).toEqual([
      ['AAPL', '1d', base.start, base.end],
      ['SPY', '1d', base.start - 31 * D, base.end + D],
      ['MSFT', '1wk', base.start - 31 * D, base.end + D],
    ]);
    expect(plan.series[1]!.readers).toEqual(['request.security("SPY", "D", close) (line 1)', 'request.security("spy", "1D", open) (line 2)']);
  });

  it('timeframes the request.security of PineTS rejects (2, 90) are UNSUPPORTED_INTERVAL, as a request or as the chart under one', () => {
    expect(codeOf(() => planPineRun({ ...base, script: 'x = request.security("SPY", "90", close)' }))).toBe('UNSUPPORTED_INTERVAL');
    expect(codeOf(() => planPineRun({ ...base, timeframe: '90', now: utc('2023-02-01'), start: utc('2023-01-03'), end: utc('2023-01-20') }))).toBeUndefined();
    expect(codeOf(() => planPineRun({ ...base, timeframe: '90', now: utc('2023-02-01'), start: utc('2023-01-03'), end: utc('2023-01-20'), script: 'x = request.security("SPY", "D", close)' }))).toBe('UNSUPPORTED_INTERVAL');
  });

  it('a malformed symbol is INVALID_ARGUMENT naming the call; the chart is checked too', () => {
    expect(codeOf(() => planPineRun({ ...base, script: 'x = request.security("B@D SYM", "D", close)' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => planPineRun({ ...base, timeframe: '45' }))).toBe('UNSUPPORTED_INTERVAL');
    try {
      planPineRun({ ...base, script: 'x = request.security("B@D SYM", "D", close)' });
    } catch (err) {
      expect(String((err as Error).message)).toContain('request.security("B@D SYM", "D", close) (line 1)');
    }
  });
});
