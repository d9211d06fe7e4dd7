// Every HTTP fault of issue 8 through the REAL yahoo-finance2 client against the loopback server
// (DNS aside: that one needs a name that does not resolve). Short budgets keep it fast.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import YahooFinance from 'yahoo-finance2';
import { loadFixture, startCacheOnServer, syntheticDailyBars, type CacheOnServer } from '@barcache/test-support';
import { ErrorCode, type PrefetchReport } from '../src/index.js';
import { YahooProvider, type YahooProviderOptions } from '../src/provider/yahoo-provider.js';
import { rejection } from './helpers/yahoo-provider.js';

const d = (s: string) => Date.parse(`${s}T00:00:00Z`);
const q = { symbol: 'AAPL', interval: '1d' as const, start: d('2024-01-08'), end: d('2024-01-13') };

let fx: CacheOnServer;
beforeEach(async () => {
  fx = await startCacheOnServer();
});
afterEach(async () => {
  await fx.dispose();
});

function provider(options: Omit<YahooProviderOptions, 'baseUrl'> = {}): YahooProvider {
  return fx.provider(options);
}

/** prefetch's report, whether it returns the report or a session holding it. */
function reportOf(value: unknown): PrefetchReport {
  return (typeof value === 'object' && value !== null && 'report' in value ? (value as { report: PrefetchReport }).report : value) as PrefetchReport;
}

/** A chart body for AAPL in Yahoo's shape, with `patch` applied to its result. */
function chartBody(patch: (result: Record<string, unknown>) => void): object {
  const body = loadFixture<{ chart: { result: Record<string, unknown>[] } }>('aapl-1d-split-4-1.json');
  patch(body.chart.result[0]!);
  return body;
}

describe('answers are read leniently and checked where it matters', () => {
  it("a real answer with meta.currency null and no regularMarketPrice is served (yahoo-finance2's schema rejects it)", async () => {
    fx.server.configureSymbol('ADH', { fixture: 'adh-1d-null-currency.json' });
    // The fixture really is the shape yahoo-finance2 3.15 refuses with its own validation.
    const strict = new YahooFinance({ versionCheck: false, validation: { logErrors: false }, logger: { info() {}, warn() {}, error() {}, debug() {}, dir() {} } });
    await expect(strict.chart('ADH', { period1: d('2024-01-01') / 1000, period2: d('2024-01-10') / 1000 }, { fetch: fx.server.fetch })).rejects.toThrow();

    const res = await provider().fetchBars({ symbol: 'ADH', interval: '1d', start: d('2024-01-01'), end: d('2024-01-10') });
    expect(res.bars.map((b) => new Date(b.time).toISOString().slice(0, 10))).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08']);
    expect(res.bars[0]).toMatchObject({ open: 5.12, high: 5.25, low: 5.05, close: 5.19, volume: 10300, adjClose: 5.19 });
    // ADH's first trade (2020-09-24 13:30Z) named by its New York date, like daily bars.
    expect(res.firstTradeTime).toBe(d('2020-09-24'));

    // And through a cache: served and stored.
    const cache = await fx.open();
    const bars = await cache.getBars({ symbol: 'ADH', interval: '1d', start: '2024-01-02', end: '2024-01-08' });
    expect(bars).toHaveLength(5);
  });

  const malformed: [string, object][] = [
    ['chart.result: null', { chart: { result: null, error: null } }],
    ['chart.result: []', { chart: { result: [], error: null } }],
    ['quotes without timestamps', chartBody((r) => delete r.timestamp)],
    ['a column shorter than the timestamps', chartBody((r) => (r.indicators as { quote: { high: unknown[] }[] }).quote[0]!.high.pop())],
    ['a price that is a string', chartBody((r) => ((r.indicators as { quote: { close: unknown[] }[] }).quote[0]!.close[2] = '12.5'))],
    ['a split with a zero denominator', chartBody((r) => ((r.events as { splits: Record<string, { denominator: number }> }).splits['1598880600']!.denominator = 0))],
    ['no meta', chartBody((r) => delete r.meta)],
    ['not a chart at all', { finance: { result: [], error: null } }],
  ];
  it.each(malformed)('%s is PROVIDER_BAD_RESPONSE after one request', async (_name, body) => {
    fx.server.configureSymbol('AAPL', { fixture: body });
    const err = await rejection(provider().fetchBars({ symbol: 'AAPL', interval: '1d', start: d('2020-08-24'), end: d('2020-09-05') }));
    expect(err.code).toBe(ErrorCode.PROVIDER_BAD_RESPONSE);
    expect(err.details).toMatchObject({ symbol: 'AAPL', attempts: 1 });
    expect(fx.calls('AAPL')).toBe(1);
  });

  it.each([
    ['nullResult', 'chart.result: null'],
    ['noTimestamps', 'quotes without timestamps'],
  ] as const)('the server fault %s (%s) on synthetic data is PROVIDER_BAD_RESPONSE, not a TypeError', async (kind, _what) => {
    fx.server.setFault({ kind });
    const err = await rejection(provider().fetchBars(q));
    expect(err.code).toBe(ErrorCode.PROVIDER_BAD_RESPONSE);
    expect(fx.server.chartRequests('AAPL').map((r) => r.outcome)).toEqual([kind]);
  });

  it("an answer carrying another symbol's data is rejected and nothing is stored", async () => {
    fx.server.setFault({ kind: 'otherSymbol', symbol: 'AAPL' }, 'IBM');
    const wrong = await rejection(provider().fetchBars({ ...q, symbol: 'IBM' }));
    expect(wrong.code).toBe(ErrorCode.PROVIDER_BAD_RESPONSE);
    expect(wrong.message).toMatch(/carries AAPL's data, but IBM was asked for/);

    fx.server.configureSymbol('MSFT', { fixture: 'aapl-1d-split-4-1.json' });
    const err = await rejection(provider().fetchBars({ symbol: 'MSFT', interval: '1d', start: d('2020-08-24'), end: d('2020-09-05') }));
    expect(err.code).toBe(ErrorCode.PROVIDER_BAD_RESPONSE);
    expect(err.message).toMatch(/AAPL.*MSFT/);

    const cache = await fx.open();
    const viaCache = await rejection(cache.getBars({ symbol: 'MSFT', interval: '1d', start: '2020-08-24', end: '2020-09-04' }));
    expect(viaCache.code).toBe(ErrorCode.PROVIDER_BAD_RESPONSE);
    const stored = (await cache.listSeries()).filter((s) => s.symbol === 'MSFT');
    expect(stored.reduce((n, s) => n + s.bars, 0)).toBe(0);
  });

  it('reports the times of bars dropped for null prices, and the first trade time', async () => {
    fx.server.setFault({ kind: 'nullBars', every: 3 });
    const start = d('2024-01-02');
    const end = d('2024-02-01');
    const res = await provider().fetchBars({ symbol: 'AAPL', interval: '1d', start, end });
    const all = syntheticDailyBars({ symbol: 'AAPL', start, end }).map((b) => b.time);
    expect(res.droppedTimes?.length).toBe(res.droppedBars);
    expect(res.droppedBars).toBeGreaterThan(0);
    // Every trading day is either served or reported dropped, never both, never neither.
    expect([...res.bars.map((b) => b.time), ...res.droppedTimes!].sort((a, b) => a - b)).toEqual(all);
    expect(res.firstTradeTime).toBe(d('1980-12-12'));
  });
});

describe('HTTP errors are coded', () => {
  it('404 on a range is UNKNOWN_SYMBOL; 500 is PROVIDER_FAILED naming the status', async () => {
    fx.server.setFault({ kind: 'notFound' });
    const notFound = await rejection(provider().fetchBars(q));
    expect(notFound.code).toBe(ErrorCode.UNKNOWN_SYMBOL);
    fx.server.clearFaults();
    fx.server.setFault({ kind: 'status', status: 500 });
    const cache = await fx.open();
    const failed = await rejection(cache.getBars({ ...q, start: '2024-01-08', end: '2024-01-12' }));
    expect(failed.code).toBe(ErrorCode.PROVIDER_FAILED);
    expect(failed.details).toMatchObject({ status: 500, symbol: 'AAPL' });
  });
});

describe('rate limits are absorbed as one', () => {
  it('429 with Retry-After: 3600 fails fast with RATE_LIMITED saying when, and holds back every symbol', async () => {
    fx.server.setFault({ kind: 'status', status: 429, retryAfterSec: 3600 });
    const p = provider({ retry: { retries: 4, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 60_000 }, retryBudgetMs: 30_000 });
    const cache = await fx.open({ provider: p });
    const t0 = Date.now();
    const err = await rejection(cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-08', end: '2024-01-12' }));
    const elapsed = Date.now() - t0;
    expect(err.code).toBe(ErrorCode.RATE_LIMITED);
    expect(elapsed).toBeLessThan(10_000); // not the 30 s budget, not the hour: at once
    const retryAt = err.details.retryAt as number;
    // The hour is capped to the 60 s cooldown: that is when Barcache asks again, and the message says so.
    expect(retryAt).toBeGreaterThanOrEqual(t0 + 59_000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(err.details).toMatchObject({ status: 429, retryAfterMs: 3_600_000 });
    expect(err.message).toContain(new Date(retryAt).toISOString());
    expect(err.message).toMatch(/3600 s/);
    expect(fx.calls('AAPL')).toBe(1);

    // Another symbol during the cooldown: refused without a request.
    const other = await rejection(cache.getBars({ symbol: 'MSFT', interval: '1d', start: '2024-01-08', end: '2024-01-12' }));
    expect(other.code).toBe(ErrorCode.RATE_LIMITED);
    expect(fx.calls('MSFT')).toBe(0);
  });

  it('a 20-symbol prefetch in a 429 storm makes at most ~25 requests, then every symbol is RATE_LIMITED with a retryAt', async () => {
    fx.server.setFault({ kind: 'status', status: 429 });
    const p = provider({ retry: { retries: 4, baseDelayMs: 50, maxDelayMs: 50, maxRetryAfterMs: 1500 }, retryBudgetMs: 1500 });
    const cache = await fx.open({ provider: p });
    const symbols = Array.from({ length: 20 }, (_, i) => `S${String(i).padStart(2, '0')}`);
    const t0 = Date.now();
    const report = reportOf(await cache.prefetch({ symbols, interval: '1d', start: '2024-01-02', end: '2024-06-28' }));
    const elapsed = Date.now() - t0;
    const requests = fx.calls();
    expect(report.failed.sort()).toEqual(symbols);
    for (const s of report.symbols) expect(s.error?.code).toBe(ErrorCode.RATE_LIMITED);
    expect(requests).toBeLessThanOrEqual(25);
    expect(elapsed).toBeLessThan(20_000);
    console.info(`429 storm: 20 symbols, ${requests} requests, failed after ${elapsed} ms (budget 1500 ms)`);
  });

  it('a short storm is ridden out: 429 twice for everyone, then all symbols are served', async () => {
    fx.server.failNext(2, 429);
    const p = provider({ retry: { retries: 4, baseDelayMs: 20, maxDelayMs: 50 }, retryBudgetMs: 5000 });
    const cache = await fx.open({ provider: p });
    const symbols = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6'];
    const report = reportOf(await cache.prefetch({ symbols, interval: '1d', start: '2024-01-02', end: '2024-03-28' }));
    expect(report.failed).toEqual([]);
    expect(fx.server.chartRequests().filter((r) => r.status === 429)).toHaveLength(2);
  });
});

describe('unreachable and stalled', () => {
  it('a DNS failure is PROVIDER_UNREACHABLE at once, naming the host, not retried', async () => {
    const host = 'barcache-test.invalid';
    const p = new YahooProvider({ baseUrl: `http://${host}`, retry: { retries: 4, baseDelayMs: 1000, maxDelayMs: 1000 } });
    const err = await rejection(p.fetchBars(q));
    expect(err.code).toBe(ErrorCode.PROVIDER_UNREACHABLE);
    expect(err.details).toMatchObject({ host, attempts: 1 });
    expect(err.message).toMatch(new RegExp(`(ENOTFOUND|EAI_AGAIN) ${host.replace('.', '\\.')}`));
    expect(err.message).not.toMatch(/fetch failed/);
    expect(p.counters.attempts).toBe(1);
  });

  it('a stalled server costs at most the retry budget (per-attempt time-out inside it)', async () => {
    fx.server.setFault({ kind: 'hang' });
    const p = provider({ timeoutMs: 300, retryBudgetMs: 800, retry: { retries: 10, baseDelayMs: 1, maxDelayMs: 5 } });
    const t0 = Date.now();
    const err = await rejection(p.fetchBars(q));
    const elapsed = Date.now() - t0;
    expect(err.code).toBe(ErrorCode.PROVIDER_TIMEOUT);
    expect(fx.calls('AAPL')).toBeLessThanOrEqual(3);
    // The budget bounds it (plus timer slack on a loaded machine), not attempts × time-out.
    expect(err.details.elapsedMs as number).toBeLessThan(800 + 1000);
    expect(elapsed).toBeLessThan(800 + 4000);
  });
});
