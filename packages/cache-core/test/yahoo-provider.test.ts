// The Yahoo provider through the REAL yahoo-finance2 client against a loopback server that speaks
// Yahoo's chart JSON (no network).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  startYahooChartServer,
  syntheticDailyBars,
  syntheticIntradayBars,
  type YahooChartServer,
} from '@barcache/test-support';
import { BarcacheError, ErrorCode } from '../src/errors.js';
import { YahooProvider, type YahooProviderOptions } from '../src/provider/yahoo-provider.js';
import { YAHOO_LIMITS } from '../src/provider/yahoo-limits.js';
import { DAY_MS as DAY } from '../src/intervals.js';

const d = (s: string) => Date.parse(`${s}T00:00:00Z`);
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

let server: YahooChartServer;

beforeAll(async () => {
  server = await startYahooChartServer({
    symbols: {
      'BHP.AX': {
        timezone: 'Australia/Sydney',
        splits: [{ date: '2024-03-07', numerator: 2, denominator: 1 }],
        dividends: [{ date: '2024-03-06', amount: 0.72 }],
      },
      SPLIT: { fixture: 'aapl-1d-split-4-1.json' },
      DIVS: { fixture: 'ko-1d-dividends.json' },
      NULLS: { fixture: 'aapl-1m-nulls-at-open.json' },
      SYDFIX: { fixture: 'bhp-ax-1d-sydney.json' },
      EMPTYFIX: { fixture: 'empty.json' },
    },
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.clearFaults();
  server.resetRequests();
});

const delays: number[] = [];
afterEach(() => {
  delays.length = 0;
});

/** A provider pointed at the loopback server, with tiny retry delays (no fake timers). */
function provider(opts: YahooProviderOptions = {}): YahooProvider {
  return new YahooProvider({
    baseUrl: server.url,
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 },
    timeoutMs: 2000,
    sleep: async (ms) => {
      delays.push(ms);
      await new Promise((r) => setTimeout(r, Math.min(ms, 5)));
    },
    ...opts,
  });
}

async function rejection(p: Promise<unknown>): Promise<BarcacheError> {
  const err = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BarcacheError);
  return err as BarcacheError;
}

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
    const fx = await provider().fetchBars({ symbol: 'SYDFIX', interval: '1d', start: d('2024-03-25'), end: d('2024-04-12') });
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
    const res = await provider().fetchBars({ symbol: 'NULLS', interval: '1m', start, end: start + 12 * 60_000 });
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
    const res = await provider().fetchBars({ symbol: 'SPLIT', interval: '1d', start: d('2020-08-24'), end: d('2020-09-05') });
    expect(res.bars).toHaveLength(10);
    expect(res.splits).toEqual([{ time: d('2020-08-31'), numerator: 4, denominator: 1 }]);
    expect(res.bars[0]?.adjClose).toBeLessThan(res.bars[0]!.close);
    // Outside the range the split is not reported.
    const before = await provider().fetchBars({ symbol: 'SPLIT', interval: '1d', start: d('2020-08-24'), end: d('2020-08-29') });
    expect(before.splits).toBeUndefined();
    expect(before.bars).toHaveLength(5);
  });

  it('returns dividends', async () => {
    const res = await provider().fetchBars({ symbol: 'DIVS', interval: '1d', start: d('2024-03-11'), end: d('2024-06-18') });
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
    expect((await provider().fetchBars({ symbol: 'EMPTYFIX', interval: '1d', start: d('2024-03-04'), end: d('2024-03-05') })).bars).toEqual([]);
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

describe('YahooProvider: retries and failures', () => {
  const q = { symbol: 'AAPL', interval: '1d' as const, start: d('2024-01-08'), end: d('2024-01-13') };

  it('429 twice then success: 3 requests, bars returned, 2 retries reported', async () => {
    server.failNext(2, 429);
    const onRetry = vi.fn();
    const p = provider({ onRetry });
    const res = await p.fetchBars(q);
    expect(res.bars).toHaveLength(5);
    expect(server.chartRequests('AAPL')).toHaveLength(3);
    expect(onRetry).toHaveBeenCalledTimes(2);
    expect(onRetry.mock.calls[0]?.[0]).toMatchObject({ attempt: 1, status: 429 });
    expect(p.counters).toMatchObject({ calls: 1, attempts: 3, retries: 2 });
    expect(delays.every((ms) => ms >= 0 && ms <= 5)).toBe(true);
  });

  it('429 forever: RATE_LIMITED after retries + 1 attempts', async () => {
    server.setFault({ kind: 'status', status: 429 });
    const err = await rejection(provider({ retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 2 } }).fetchBars(q));
    expect(err.code).toBe(ErrorCode.RATE_LIMITED);
    expect(err.details).toMatchObject({ attempts: 4, symbol: 'AAPL', status: 429 });
    expect(server.chartRequests('AAPL')).toHaveLength(4);
  });

  it('honours Retry-After', async () => {
    server.failNext(1, 429, { retryAfterSec: 1 });
    await provider().fetchBars(q);
    expect(delays).toEqual([1000]);
  });

  it('a 500 is retried; 500s forever are PROVIDER_FAILED', async () => {
    server.failNext(1, 500);
    expect((await provider().fetchBars(q)).bars).toHaveLength(5);
    expect(server.chartRequests('AAPL').map((r) => r.status)).toEqual([500, 200]);
    server.resetRequests();
    server.setFault({ kind: 'status', status: 503 });
    const err = await rejection(provider().fetchBars(q));
    expect(err.code).toBe(ErrorCode.PROVIDER_FAILED);
    expect(err.details).toMatchObject({ attempts: 3, status: 503 });
    expect(server.chartRequests('AAPL')).toHaveLength(3);
  });

  it('a 400 is not retried', async () => {
    server.setFault({ kind: 'status', status: 400 });
    const err = await rejection(provider().fetchBars(q));
    expect(err.code).toBe(ErrorCode.PROVIDER_FAILED);
    expect(server.chartRequests('AAPL')).toHaveLength(1);
  });

  it('a hang is PROVIDER_TIMEOUT within the bound', async () => {
    server.setFault({ kind: 'hang' });
    const t0 = Date.now();
    const err = await rejection(provider({ timeoutMs: 150, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } }).fetchBars(q));
    const elapsed = Date.now() - t0;
    expect(err.code).toBe(ErrorCode.PROVIDER_TIMEOUT);
    expect(err.details).toMatchObject({ attempts: 2 });
    expect(server.chartRequests('AAPL')).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(1500);
  });

  it('a hang once, then an answer: retried after the time-out', async () => {
    server.setFault({ kind: 'hang', times: 1 });
    const res = await provider({ timeoutMs: 100 }).fetchBars(q);
    expect(res.bars).toHaveLength(5);
    expect(server.chartRequests('AAPL').map((r) => r.status)).toEqual(['hang', 200]);
  });

  it('a body that is not a chart is PROVIDER_BAD_RESPONSE', async () => {
    server.setFault({ kind: 'malformed' });
    const err = await rejection(provider().fetchBars(q));
    expect(err.code).toBe(ErrorCode.PROVIDER_BAD_RESPONSE);
  });

  it('a refused connection is retried and then PROVIDER_FAILED', async () => {
    const dead = await startYahooChartServer();
    const url = dead.url;
    await dead.close();
    const err = await rejection(provider({ baseUrl: url }).fetchBars(q));
    expect(err.code).toBe(ErrorCode.PROVIDER_FAILED);
    expect(err.details).toMatchObject({ attempts: 3 });
  });
});

describe('YahooProvider: arguments and cancellation', () => {
  it('start >= end is INVALID_ARGUMENT without a request', async () => {
    const p = provider();
    for (const [start, end] of [
      [d('2024-01-08'), d('2024-01-08')],
      [d('2024-01-09'), d('2024-01-08')],
      [Number.NaN, d('2024-01-08')],
    ] as const) {
      const err = await rejection(p.fetchBars({ symbol: 'AAPL', interval: '1d', start, end }));
      expect(err.code).toBe(ErrorCode.INVALID_ARGUMENT);
    }
    const bad = await rejection(p.fetchBars({ symbol: 'AAPL', interval: '2d' as never, start: 0, end: DAY }));
    expect(bad.code).toBe(ErrorCode.UNSUPPORTED_INTERVAL);
    expect(server.requests).toHaveLength(0);
  });

  it('an already aborted signal is ABORTED without a request', async () => {
    const err = await rejection(
      provider().fetchBars({ symbol: 'AAPL', interval: '1d', start: d('2024-01-08'), end: d('2024-01-13'), signal: AbortSignal.abort() }),
    );
    expect(err.code).toBe(ErrorCode.ABORTED);
    expect(server.requests).toHaveLength(0);
  });

  it('aborting during a hang is ABORTED at once, not retried', async () => {
    server.setFault({ kind: 'hang' });
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 50);
    const err = await rejection(
      provider({ timeoutMs: 5000 }).fetchBars({ symbol: 'AAPL', interval: '1d', start: d('2024-01-08'), end: d('2024-01-13'), signal: ac.signal }),
    );
    expect(err.code).toBe(ErrorCode.ABORTED);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(server.chartRequests('AAPL')).toHaveLength(1);
  });

  it('aborting during the backoff sleep is ABORTED', async () => {
    server.setFault({ kind: 'status', status: 429 });
    const ac = new AbortController();
    const p = new YahooProvider({ baseUrl: server.url, retry: { retries: 4, baseDelayMs: 10_000, maxDelayMs: 10_000 }, random: () => 0.5 });
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    const err = await rejection(p.fetchBars({ symbol: 'AAPL', interval: '1d', start: d('2024-01-08'), end: d('2024-01-13'), signal: ac.signal }));
    expect(err.code).toBe(ErrorCode.ABORTED);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('YahooProvider: pointing at the server, and silence', () => {
  const q = { symbol: 'AAPL', interval: '1d' as const, start: d('2024-01-08'), end: d('2024-01-13') };

  it('BARCACHE_YAHOO_BASE_URL points the default provider at the server', async () => {
    vi.stubEnv('BARCACHE_YAHOO_BASE_URL', server.url);
    try {
      const p = new YahooProvider();
      expect(p.baseUrl).toBe(server.url);
      expect((await p.fetchBars(q)).bars).toHaveLength(5);
      expect(server.chartRequests('AAPL')).toHaveLength(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('an injected fetch is used (here one that routes Yahoo hosts to the server)', async () => {
    const seen: string[] = [];
    const p = new YahooProvider({
      fetch: ((input: string, init?: RequestInit) => {
        seen.push(String(input));
        return server.fetch(input, init);
      }) as typeof fetch,
    });
    expect((await p.fetchBars(q)).bars).toHaveLength(5);
    expect(seen[0]).toMatch(/^https:\/\/query2\.finance\.yahoo\.com\/v8\/finance\/chart\/AAPL\?/);
  });

  it('limits concurrency per provider', async () => {
    server.setLatency(40);
    try {
      let inFlight = 0;
      let max = 0;
      const wrapped = new YahooProvider({
        concurrency: 2,
        fetch: (async (input: string, init?: RequestInit) => {
          inFlight++;
          max = Math.max(max, inFlight);
          try {
            return await server.fetch(input, init);
          } finally {
            inFlight--;
          }
        }) as typeof fetch,
      });
      const syms = ['A', 'B', 'C', 'D', 'E', 'F'];
      await Promise.all(syms.map((symbol) => wrapped.fetchBars({ ...q, symbol })));
      expect(max).toBe(2);
    } finally {
      server.setLatency(0);
    }
  });

  it('nothing from yahoo-finance2 reaches stdout/stderr (Node-22 notice, HTTP errors, validation)', async () => {
    const out = vi.spyOn(process.stdout, 'write');
    const err = vi.spyOn(process.stderr, 'write');
    const spies = (['log', 'info', 'warn', 'error', 'debug', 'dir'] as const).map((m) => vi.spyOn(console, m));
    const messages: unknown[][] = [];
    try {
      const p = provider({ log: (...args) => messages.push(args) });
      server.failNext(1, 429);
      await p.fetchBars(q);
      server.failNext(3, 500);
      await p.fetchBars(q).catch(() => {});
      await p.fetchBars({ ...q, symbol: 'NOSUCHSYMBOL' }).catch(() => {});
      server.setFault({ kind: 'malformed', times: 3 });
      await p.fetchBars(q).catch(() => {});
      for (const spy of [out, err, ...spies]) expect(spy).not.toHaveBeenCalled();
      if (Number(process.versions.node.split('.')[0]) < 22) {
        // The warning went to our log hook instead.
        expect(messages.some((m) => m[0] === 'warn' && String(m[1]).includes('Unsupported environment'))).toBe(true);
      }
    } finally {
      out.mockRestore();
      err.mockRestore();
      for (const s of spies) s.mockRestore();
    }
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
