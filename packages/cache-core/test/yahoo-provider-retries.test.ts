// The Yahoo provider's requests when the server misbehaves or the caller gives up, through the REAL
// yahoo-finance2 client against a loopback server (no network): retries, Retry-After, budgets,
// time-outs, error codes, bad arguments and cancellation.
import { describe, expect, it, vi } from 'vitest';
import { startYahooChartServer } from '@barcache/test-support';
import { ErrorCode } from '../src/errors.js';
import { YahooProvider } from '../src/provider/yahoo-provider.js';
import { DAY_MS as DAY } from '../src/intervals.js';
import { d, delays, provider, rejection, server, useYahooChartServer } from './helpers/yahoo-provider.js';

useYahooChartServer();

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
    // The provider's cooldown ends 1 s after the 429; the wait is what is left of it.
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThan(900);
    expect(delays[0]).toBeLessThanOrEqual(1000);
  });

  it("a 503's Retry-After is honoured, and one longer than the budget ends the request at once", async () => {
    server.failNext(1, 503, { retryAfterSec: 1 });
    expect((await provider().fetchBars(q)).bars).toHaveLength(5);
    expect(delays).toEqual([1000]);
    server.failNext(1, 503, { retryAfterSec: 60 });
    const t0 = Date.now();
    const err = await rejection(provider({ retryBudgetMs: 5000 }).fetchBars(q));
    expect(err.code).toBe(ErrorCode.PROVIDER_FAILED);
    expect(err.details).toMatchObject({ attempts: 1, status: 503 });
    expect(err.message).toMatch(/retry budget of 5 s spent/);
    expect(Date.now() - t0).toBeLessThan(4000);
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

  it('a refused connection is PROVIDER_UNREACHABLE at once, naming the host (not retried)', async () => {
    const dead = await startYahooChartServer();
    const url = dead.url;
    await dead.close();
    const err = await rejection(provider({ baseUrl: url }).fetchBars(q));
    expect(err.code).toBe(ErrorCode.PROVIDER_UNREACHABLE);
    expect(err.details).toMatchObject({ attempts: 1, host: `127.0.0.1:${dead.port}`, code: 'ECONNREFUSED' });
    expect(err.message).toContain(`ECONNREFUSED 127.0.0.1:${dead.port}`);
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
    const pending = provider({ timeoutMs: 5000 }).fetchBars({ symbol: 'AAPL', interval: '1d', start: d('2024-01-08'), end: d('2024-01-13'), signal: ac.signal });
    // Abort once the request hangs at the server (the client loads on first use: that may take a while).
    while (server.chartRequests('AAPL').length === 0) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    ac.abort();
    const err = await rejection(pending);
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
