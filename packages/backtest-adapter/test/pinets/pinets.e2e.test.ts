/**
 * The PineTS plugin with the real `pinets` package, the real YahooProvider and LevelDB, against the
 * loopback Yahoo chart server (LOCAL SYNTHETIC bars).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PineTS, localTimeToUTC } from 'pinets';
import { isBarcacheError, type Bar } from '@barcache/cache-core';
import { useTempDir } from '@barcache/test-support';
import { preparePineSession } from '@barcache/backtest-adapter/pinets';
import { cacheOnServerPerFile } from '@barcache/test-support/vitest';
import { CHART, PLOTS, SCRIPT, plotsOf, runThroughPlugin, type PluginRun, type Plots } from './pine-fixture.js';

const D = 86_400_000;
const NY = 'America/New_York';
const tmp = useTempDir('barcache-pinets-', { beforeEach, afterEach });
const fx = cacheOnServerPerFile();

interface ChartJson {
  chart: { result: [{ timestamp?: number[]; indicators: { quote: [{ open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] }] } }] };
}

/** Bars read straight from the loopback server with plain fetch (no yahoo-finance2, no cache); times = 00:00 UTC of the New York date. */
async function fetchDirect(symbol: string, interval: '1d' | '1wk', from: string, to: string): Promise<Bar[]> {
  const url = `${fx.server.url}/v8/finance/chart/${symbol}?period1=${Date.parse(from) / 1000}&period2=${Date.parse(to) / 1000}&interval=${interval}`;
  const json = (await (await fetch(url)).json()) as ChartJson;
  const r = json.chart.result[0];
  const q = r.indicators.quote[0];
  return (r.timestamp ?? []).map((ts, i) => ({
    time: Math.floor((ts * 1000) / D) * D,
    open: q.open[i]!,
    high: q.high[i]!,
    low: q.low[i]!,
    close: q.close[i]!,
    volume: q.volume[i]!,
  }));
}

const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);
/** 00:00 New York time on the date of `t`, by PineTS's own helper. */
const nyMidnight = (t: number) => localTimeToUTC(ymd(t), '00:00', NY);

/** The reference candles, built here with PineTS's helper: a daily bar spans its New York day; a weekly bar Monday 00:00 to Saturday 00:00. */
function referenceKlines(bars: Bar[], interval: '1d' | '1wk') {
  return bars.map((b) => ({
    openTime: nyMidnight(b.time),
    closeTime: nyMidnight(b.time + (interval === '1d' ? 1 : 5) * D),
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
  }));
}

/** The same bars handed to PineTS directly: a plain provider over arrays, no cache. */
function arrayProvider(series: Record<string, ReturnType<typeof referenceKlines>>) {
  return {
    calls: [] as string[],
    async getMarketData(tickerId: string, timeframe: string, limit?: number, sDate?: number, eDate?: number) {
      this.calls.push(`${tickerId} ${timeframe}`);
      const all = series[`${tickerId} ${timeframe}`];
      if (!all) throw new Error(`reference has no ${tickerId} ${timeframe}`);
      const out = all.filter((k) => (sDate === undefined || k.openTime >= sDate) && (eDate === undefined || k.openTime <= eDate));
      return limit ? out.slice(-limit) : out;
    },
    async getSymbolInfo(tickerId: string) {
      return { ticker: tickerId, tickerid: tickerId, timezone: NY, mintick: 0.01 } as never;
    },
    configure() {},
  };
}

const roundTrip = (p: Plots): Plots => JSON.parse(JSON.stringify(p)) as Plots;

describe('PineTS through Barcache', () => {
  it('gives the plots PineTS gives on the same bars handed to it directly', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const session = await preparePineSession(cache, { ...CHART, script: SCRIPT });
    const plugin = plotsOf((await session.run()) as never);
    session.release();

    const [aapl, spy, aaplWeekly] = await Promise.all([
      fetchDirect('AAPL', '1d', '2022-10-01', '2025-01-10'),
      fetchDirect('SPY', '1d', '2022-10-01', '2025-01-10'),
      fetchDirect('AAPL', '1wk', '2022-10-01', '2025-01-10'),
    ]);
    const sDate = localTimeToUTC('2023-01-03', '00:00', NY);
    const eDate = localTimeToUTC('2025-01-01', '00:00', NY) - 1;
    expect(session.chart).toMatchObject({ sDate, eDate });
    const provider = arrayProvider({ 'AAPL D': referenceKlines(aapl, '1d'), 'SPY D': referenceKlines(spy, '1d'), 'AAPL W': referenceKlines(aaplWeekly, '1wk') });
    const reference = plotsOf((await new PineTS(provider as never, 'AAPL', 'D', undefined, sDate, eDate).run(SCRIPT)) as never);
    expect(provider.calls).toEqual(['AAPL D', 'SPY D', 'AAPL W']);

    const chartBars = aapl.filter((b) => b.time >= Date.parse('2023-01-03') && b.time <= Date.parse('2024-12-31'));
    expect(chartBars.length).toBeGreaterThan(490);
    for (const name of PLOTS) expect(plugin[name], name).toHaveLength(chartBars.length);
    expect(plugin).toEqual(reference);

    // The chart's own plots also equal a run of the script's chart part on the chart's candles as a
    // plain array (an array source has no syminfo and serves every request.security from itself).
    const chartPart = SCRIPT.split('\n').filter((l) => !/spy|weekly/.test(l)).join('\n');
    const onArray = plotsOf((await new PineTS(referenceKlines(chartBars, '1d'), 'AAPL', 'D').run(chartPart)) as never);
    for (const name of ['fast', 'slow', 'cross'] as const) expect(plugin[name], name).toEqual(onArray[name]);

    // And request.security read the right series: SPY's close of the same day; the weekly SMA(4) of
    // the last complete week (on a Friday, that week itself).
    const spyClose = new Map(spy.map((b) => [b.time, b.close]));
    expect(plugin.spy!.map((p, i) => p.value - spyClose.get(chartBars[i]!.time)!)).toEqual(chartBars.map(() => 0));
    const weeks = aaplWeekly.map((w, i) => ({ time: w.time, sma: i >= 3 ? aaplWeekly.slice(i - 3, i + 1).reduce((a, b) => a + b.close, 0) / 4 : NaN }));
    const expected = chartBars.map((b) => {
      const friday = new Date(b.time).getUTCDay() === 5;
      const monday = b.time - ((new Date(b.time).getUTCDay() + 6) % 7) * D;
      return weeks.find((w) => w.time === (friday ? monday : monday - 7 * D))!.sma;
    });
    plugin.weekly!.forEach((p, i) => expect(p.value, ymd(chartBars[i]!.time)).toBeCloseTo(expected[i]!, 6));
    expect(plugin.cross!.filter((p) => p.value === 1).length).toBeGreaterThan(2);
  });

  it('cold: one provider call per series; warm in a new process: none; every getMarketData after the prefetch is an L1 hit', async () => {
    const cold: PluginRun = await runThroughPlugin(tmp.path, fx.server.url);
    expect(fx.server.chartRequests().map((r) => `${r.symbol} ${r.interval}`).sort()).toEqual(['AAPL 1d', 'AAPL 1wk', 'SPY 1d']);
    expect(cold.providerCalls).toBe(3);
    expect(cold.marketDataCalls).toBe(3);
    expect(cold.run).toEqual({ requests: 3, l1Hits: 3, l2Hits: 0, misses: 0, providerCalls: 0 });

    fx.server.resetRequests();
    const here = fileURLToPath(new URL('.', import.meta.url));
    const child = spawn(process.execPath, ['--import', createRequire(import.meta.url).resolve('tsx'), `${here}processes/pine-run.ts`, tmp.path, fx.server.url], {
      env: { ...process.env, TSX_TSCONFIG_PATH: `${here}processes/tsconfig.json` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const line = out.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, `child exited ${code}: ${err}`).toBeDefined();
    const warm = JSON.parse(line!.slice('RESULT '.length)) as PluginRun;
    expect(fx.server.chartRequests()).toHaveLength(0);
    expect(warm.providerCalls).toBe(0);
    expect(warm.sources.sort()).toEqual(['AAPL 1d l2', 'AAPL 1wk l2', 'SPY 1d l2']);
    expect(warm.run).toEqual({ requests: 3, l1Hits: 3, l2Hits: 0, misses: 0, providerCalls: 0 });
    expect(warm.plots).toEqual(roundTrip(cold.plots));
  });
});

describe('PineTS through Barcache: an intraday chart', () => {
  it('a 60-minute chart reading daily SPY sees the previous day\'s close on every bar of the day (no look-ahead)', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const script = `//@version=5
indicator("hourly with daily SPY")
d = request.security("SPY", "D", close)
plot(d, "spy daily")
plot(close, "close")
`;
    // Two weeks ending four weeks ago: inside what Yahoo keeps of 1h bars, whatever today is.
    const today = Math.floor(Date.now() / D) * D;
    const [start, end] = [ymd(today - 40 * D), ymd(today - 27 * D)];
    const session = await preparePineSession(cache, { symbol: 'AAPL', timeframe: '60', start, end, script });
    const ctx = (await session.run()) as unknown as { plots: Record<string, { data: { time: number; value: number }[] }> };
    session.release();
    const hourly = await cache.getBars({ symbol: 'AAPL', interval: '1h', start, end: Date.parse(end) + D - 1 });
    expect(hourly.length).toBeGreaterThan(50);
    expect(ctx.plots.close!.data.map((p) => p.time)).toEqual(hourly.map((b) => b.time));
    const daily = await cache.getBars({ symbol: 'SPY', interval: '1d', start: Date.parse(start) - 14 * D, end });
    const nyDate = (t: number) => new Intl.DateTimeFormat('en-CA', { timeZone: NY }).format(t);
    const expected = hourly.map((b) => {
      const before = daily.filter((d) => ymd(d.time) < nyDate(b.time));
      return before.at(-1)!.close;
    });
    expect(ctx.plots['spy daily']!.data.map((p) => p.value)).toEqual(expected);
  });
});

describe('PineTS through Barcache: 4h bars', () => {
  it('a 240 chart is built from 1h bars: 09:30 and 13:30 New York time, the close of its last hour, the volume of its hours; one provider call per series', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const script = `//@version=5
indicator("4h")
d = request.security("SPY", "D", close)
plot(close, "close")
plot(volume, "volume")
plot(d, "spy")
`;
    const today = Math.floor(Date.now() / D) * D;
    const [start, end] = [ymd(today - 40 * D), ymd(today - 27 * D)];
    const session = await preparePineSession(cache, { symbol: 'AAPL', timeframe: '240', start, end, script });
    const ctx = (await session.run()) as unknown as { plots: Record<string, { data: { time: number; value: number }[] }> };
    session.release();
    expect(fx.server.chartRequests().map((r) => `${r.symbol} ${r.interval}`).sort()).toEqual(['AAPL 1h', 'SPY 1d']);
    const hourly = await cache.getBars({ symbol: 'AAPL', interval: '1h', start, end: Date.parse(end) + D - 1 });
    const nyTime = (t: number) => new Intl.DateTimeFormat('en-GB', { timeZone: NY, hour: '2-digit', minute: '2-digit' }).format(t);
    const bars = ctx.plots.close!.data;
    expect(new Set(bars.map((p) => nyTime(p.time)))).toEqual(new Set(['09:30', '13:30']));
    // Each 4h bar: the close of its last 1h bar, the volume of its 1h bars.
    bars.forEach((p, i) => {
      const next = bars[i + 1]?.time ?? Infinity;
      const inside = hourly.filter((h) => h.time >= p.time && h.time < Math.min(next, p.time + 4 * 3_600_000));
      expect(inside.length, nyTime(p.time)).toBeGreaterThan(0);
      expect(p.value).toBe(inside.at(-1)!.close);
      expect(ctx.plots.volume!.data[i]!.value).toBe(inside.reduce((a, h) => a + h.volume, 0));
    });
    // Two 4h bars a day; one on a day that closes by 13:30.
    const slots = new Set(hourly.map((h) => `${ymd(h.time)} ${nyTime(h.time) >= '13:30' ? 'pm' : 'am'}`));
    expect(bars.length).toBe(slots.size);
    expect(bars.length).toBeGreaterThan(15);
  });
});

describe('PineTS through Barcache: calc_bars_count', () => {
  it('a literal calc_bars_count is prefetched as a lookback: PineTS asks the last N bars with no start date, served from memory', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const script = `//@version=5
indicator("deep weekly")
w = request.security("SPY", "W", close, calc_bars_count = 150)
plot(w, "w")
`;
    const session = await preparePineSession(cache, { ...CHART, start: '2024-06-03', script });
    const spyWeekly = session.reports.find((r) => r.interval === '1wk')!.symbols[0]!;
    expect(spyWeekly.lookbackBars).toBeGreaterThanOrEqual(150);
    const before = cache.stats();
    const ctx = (await session.run()) as unknown as { plots: Record<string, { data: { value: number }[] }> };
    const after = cache.stats();
    expect(after.provider.calls - before.provider.calls).toBe(0);
    expect(after.l1.hits - before.l1.hits).toBe(session.provider.marketDataCalls);
    // On Tuesday 2024-12-31 the last complete week is the one of Monday 2024-12-23.
    const weeks = await fetchDirect('SPY', '1wk', '2024-12-01', '2025-01-10');
    expect(ctx.plots.w!.data.at(-1)!.value).toBe(weeks.find((b) => ymd(b.time) === '2024-12-23')!.close);
    session.release();
  });

  it('"the last N bars" that run out at the prepared start are no silently short answer: the read fails with a coded error', async () => {
    // PineTS 0.9.34 only passes a literal calc_bars_count on; this guards a provider driven otherwise.
    const cache = await fx.open({ dir: tmp.path });
    const session = await preparePineSession(cache, { ...CHART, start: '2024-06-03', script: 'w = request.security("SPY", "W", close)\nplot(w)' });
    expect(session.provider.lastFailure).toBeUndefined();
    const pending = session.provider.getMarketData('SPY', 'W', 150, undefined, session.chart.eDate);
    const settled = await Promise.race([pending.then(() => 'settled'), new Promise((resolve) => setTimeout(() => resolve('pending'), 50))]);
    expect(settled).toBe('pending');
    const err = session.provider.lastFailure!;
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.details).toMatchObject({ call: 'request.security("SPY", "W", close) (line 1)', asked: 150 });
    expect(err.details.available).toBeLessThan(150);
    // Within what was prepared, the same read is answered.
    expect(await session.provider.getMarketData('SPY', 'W', 20, undefined, session.chart.eDate)).toHaveLength(20);
    session.release();
  });
});

/** The error a prepare or run rejects with (failing the test if it resolves). */
async function rejection(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBarcacheError(err)) throw new Error(`expected a BarcacheError, got ${String(err)}`);
  return err;
}

const withCall = (call: string) => `//@version=5
indicator("bad input")
fast = ta.sma(close, 10)
other = ${call}
plot(fast, "fast")
plot(other, "other")
`;

describe('PineTS through Barcache: bad input is a coded error naming the script call, before run()', () => {
  it('an unknown symbol inside request.security is UNKNOWN_SYMBOL naming the call; the chart bars stay cached', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const err = await rejection(preparePineSession(cache, { ...CHART, script: withCall('request.security("NOSUCHSYMBOL", "D", close)') }));
    expect(err.code).toBe('UNKNOWN_SYMBOL');
    expect(err.message).toContain('request.security("NOSUCHSYMBOL", "D", close) (line 4)');
    expect(err.details.call).toBe('request.security("NOSUCHSYMBOL", "D", close) (line 4)');
    expect(err.details.symbol).toBe('NOSUCHSYMBOL');
    expect(cache.stats().l1.pinnedEntries).toBe(0);
    expect((await cache.listSeries()).map((s) => `${s.symbol} ${s.interval} ${s.bars > 0}`)).toContain('AAPL 1d true');
  });

  it('with ignore_invalid_symbol = true an unknown symbol reads as na, as in Pine; the rest of the script runs', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const session = await preparePineSession(cache, { ...CHART, script: withCall('request.security("NOSUCHSYMBOL", "D", close, ignore_invalid_symbol = true)') });
    const ctx = (await session.run()) as unknown as { plots: Record<string, { data: { value: number }[] }> };
    expect(ctx.plots.other!.data.length).toBeGreaterThan(490);
    expect(ctx.plots.other!.data.every((p) => Number.isNaN(p.value))).toBe(true);
    expect(ctx.plots.fast!.data.at(-1)!.value).toBeGreaterThan(0);
    expect(fx.server.chartRequests('NOSUCHSYMBOL')).toHaveLength(1);
    session.release();
  });

  it('a timeframe Yahoo has no bars for (45 minutes) is UNSUPPORTED_INTERVAL naming the call, with no provider call', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const err = await rejection(preparePineSession(cache, { ...CHART, script: withCall('request.security("SPY", "45", close)') }));
    expect(err.code).toBe('UNSUPPORTED_INTERVAL');
    expect(err.message).toContain('request.security("SPY", "45", close) (line 4)');
    expect(err.message).toMatch(/no 45-minute bars/);
    expect(fx.server.chartRequests()).toHaveLength(0);
  });

  it('a chart range with no bars (a weekend) is NO_DATA naming the chart, not an empty run', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const err = await rejection(preparePineSession(cache, { symbol: 'AAPL', timeframe: 'D', start: '2024-03-09', end: '2024-03-10', script: SCRIPT }));
    expect(err.code).toBe('NO_DATA');
    expect(err.message).toContain('the chart (AAPL, D)');
    expect(cache.stats().l1.pinnedEntries).toBe(0);
  });

  it('a range the provider cannot serve (1h bars two years back) is OUT_OF_PROVIDER_RANGE naming the call and what is served', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const now = Date.parse('2025-06-30T00:00:00Z');
    const err = await rejection(preparePineSession(cache, { ...CHART, script: withCall('request.security("SPY", "60", close)'), now: () => now }));
    expect(err.code).toBe('OUT_OF_PROVIDER_RANGE');
    expect(err.details.call).toBe('request.security("SPY", "60", close) (line 4)');
    expect(err.details.served).toEqual({ start: now - 730 * D, end: now });
    expect(fx.server.chartRequests()).toHaveLength(0);
  });

  it('a series the source does not spell out rejects run() with INVALID_ARGUMENT naming the call (no hang); naming it in securities serves it', async () => {
    const cache = await fx.open({ dir: tmp.path });
    const script = `//@version=5
indicator("dynamic")
sym = input.symbol("MSFT", "Other")
other = request.security(sym, "D", close)
plot(other, "other")
`;
    const session = await preparePineSession(cache, { ...CHART, script });
    expect(session.plan.unplanned.map((c) => c.text)).toEqual(['request.security(sym, "D", close)']);
    const err = await rejection(session.run());
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('request.security(sym, "D", close) (line 4)');
    expect(err.message).toContain('MSFT');
    session.release();

    const named = await preparePineSession(cache, { ...CHART, script, securities: [{ symbol: 'MSFT', timeframe: 'D' }] });
    const ctx = await named.run();
    const msft = await fetchDirect('MSFT', '1d', '2024-12-31', '2025-01-01');
    expect((ctx.plots as Record<string, { data: { value: number }[] }>).other!.data.at(-1)!.value).toBe(msft[0]!.close);
    named.release();
  });
});

describe('PineTS through Barcache: syminfo and times', () => {
  it('syminfo.timezone is the exchange zone the provider reported, and dayofmonth is the trading date there', async () => {
    fx.server.configureSymbol('BHP.AX', { timezone: 'Australia/Sydney' });
    const cache = await fx.open({ dir: tmp.path });
    const script = `//@version=5
indicator("dates")
plot(dayofmonth, "dom")
plot(month, "month")
`;
    for (const [symbol, zone] of [['AAPL', NY], ['BHP.AX', 'Australia/Sydney']] as const) {
      const session = await preparePineSession(cache, { symbol, timeframe: 'D', start: '2024-03-01', end: '2024-04-30', script });
      const info = await session.provider.getSymbolInfo(symbol);
      expect(info.timezone).toBe(zone);
      expect(info.ticker).toBe(symbol);
      const ctx = (await session.run()) as unknown as { plots: Record<string, { data: { value: number }[] }> };
      const bars = await cache.getBars({ symbol, interval: '1d', start: '2024-03-01', end: '2024-04-30' });
      expect(bars.length).toBeGreaterThan(35);
      expect(ctx.plots.dom!.data.map((p) => p.value)).toEqual(bars.map((b) => new Date(b.time).getUTCDate()));
      expect(ctx.plots.month!.data.map((p) => p.value)).toEqual(bars.map((b) => new Date(b.time).getUTCMonth() + 1));
      session.release();
    }
  });
});
