/**
 * Never a silently short answer (issue 8, items 2, 4 and 6): holes the provider left are re-asked
 * and then reported, ranges the provider cannot serve are an OUT_OF_PROVIDER_RANGE error, a failed
 * refresh of stored bars serves them marked stale, and the Date-minimum start returns the bars.
 * LevelDB in a temp dir; the real YahooProvider against the loopback server where the path goes
 * through Yahoo, a small BarProvider where it stands in for a provider reporting null-price bars.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syntheticDailyBars } from '@barcache/test-support';
import { ErrorCode, isBarcacheError, openCache, type Bar, type BarProvider, type BarsStatus, type ProviderRequest, type ProviderResult } from '@barcache/cache-core';
import { DAY_MS as DAY, startCacheOnServer, toEpochMs as utc, type CacheOnServer } from '@barcache/test-support';

const NOW = Date.parse('2025-03-03T20:00:00Z'); // a Monday evening, after the New York close
const TTL = 60_000;
const clock = { now: NOW };
const now = () => clock.now;

let fx: CacheOnServer;
beforeEach(async () => {
  clock.now = NOW;
  fx = await startCacheOnServer({ server: { now } });
});
afterEach(async () => {
  await fx.dispose();
});

async function codeAndDetails(p: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    if (isBarcacheError(err)) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a rejection');
}

/**
 * Stands in for a provider that sends some bars with null prices (as Yahoo does): it drops every
 * `nullEvery`-th bar of each answer and reports their times, as ProviderResult.droppedTimes says.
 */
class NullPriceProvider implements BarProvider {
  readonly name = 'nullprice';
  nullEvery = 3;
  firstTradeTime: number | undefined;
  readonly requests: ProviderRequest[] = [];
  async fetchBars(req: ProviderRequest): Promise<ProviderResult> {
    this.requests.push(req);
    const all = syntheticDailyBars({ symbol: req.symbol, start: req.start, end: req.end }).filter((b) => b.time >= req.start && b.time < req.end);
    const keep: Bar[] = [];
    const droppedTimes: number[] = [];
    all.forEach((b, i) => (this.nullEvery > 0 && i % this.nullEvery === 0 ? droppedTimes.push(b.time) : keep.push(b)));
    return {
      bars: keep,
      droppedBars: droppedTimes.length,
      droppedTimes,
      ...(this.firstTradeTime !== undefined ? { firstTradeTime: this.firstTradeTime } : {}),
    };
  }
}

describe('the Date-minimum start', () => {
  it('getBars({ start: -8.64e15 }) returns every bar up to the end, like a start before the first bar', async () => {
    const cache = await fx.open({ now });
    const bars = await cache.getBars({ symbol: 'AAPL', interval: '1d', start: -8.64e15, end: '1990-12-31' });
    const other = await openCache({ dir: ':memory:', provider: fx.provider(), now, statsSnapshots: false });
    try {
      const reference = await other.getBars({ symbol: 'AAPL', interval: '1d', start: '1900-01-01', end: '1990-12-31' });
      expect(reference.length).toBeGreaterThan(2000);
      expect(bars).toEqual(reference);
    } finally {
      await other.close();
    }
  });
});

describe('ranges the provider cannot serve: OUT_OF_PROVIDER_RANGE', () => {
  it('raises for 1m bars older than the provider keeps, naming the span it serves; prefetch fails the symbol', async () => {
    const cache = await fx.open({ now });
    const { code, details } = await codeAndDetails(cache.getBars({ symbol: 'SPY', interval: '1m', start: '2000-01-03', end: '2000-01-04' }));
    expect(code).toBe(ErrorCode.OUT_OF_PROVIDER_RANGE);
    const served = details.served as { start: number; end: number };
    expect(served.start).toBeGreaterThan(NOW - 31 * DAY);
    expect(served.start).toBeLessThan(NOW - 29 * DAY);
    expect(served.end).toBeGreaterThanOrEqual(NOW);

    const explained = await cache.explain({ symbol: 'SPY', interval: '1m', start: '2000-01-03', end: '2000-01-04' });
    expect(explained.outOfProviderRange!.served).toEqual(served);
    expect(explained.plannedRequests).toEqual([]);
    const { report } = await cache.prefetch({ symbols: ['SPY', 'QQQ'], interval: '1m', start: '2000-01-03', end: '2000-01-04' });
    expect(report.failed).toEqual(['SPY', 'QQQ']);
    expect(report.symbols.map((s) => s.error?.code)).toEqual([ErrorCode.OUT_OF_PROVIDER_RANGE, ErrorCode.OUT_OF_PROVIDER_RANGE]);
  });

  it('raises for a range entirely in the future, without asking the provider', async () => {
    const cache = await fx.open({ now });
    const { code, details } = await codeAndDetails(cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2030-01-01', end: '2030-02-01' }));
    expect(code).toBe(ErrorCode.OUT_OF_PROVIDER_RANGE);
    expect((details.served as { end: number }).end).toBeLessThanOrEqual(NOW + 2 * DAY);
    expect(fx.calls()).toBe(0);
  });

  it("raises for a range before the symbol's first trade, once told, and then without asking again", async () => {
    const provider = new NullPriceProvider();
    provider.nullEvery = 0;
    provider.firstTradeTime = utc('1996-04-12');
    const cache = await openCache({ dir: fx.dir, provider, now, statsSnapshots: false });
    try {
      const first = await codeAndDetails(cache.getBars({ symbol: 'YHOO', interval: '1d', start: '1990-01-02', end: '1990-12-31' }));
      expect(first.code).toBe(ErrorCode.OUT_OF_PROVIDER_RANGE);
      expect((first.details.served as { start: number }).start).toBe(utc('1996-04-12'));
      const asked = provider.requests.length;
      expect((await codeAndDetails(cache.getBars({ symbol: 'YHOO', interval: '1d', start: '1991-01-02', end: '1991-12-31' }))).code).toBe(
        ErrorCode.OUT_OF_PROVIDER_RANGE,
      );
      expect(provider.requests.length).toBe(asked);
      // A range that reaches past the first trade is served (a young listing: fewer bars, no error).
      const bars = await cache.getBars({ symbol: 'YHOO', interval: '1d', start: '1996-01-02', end: '1996-12-31' });
      expect(bars.length).toBeGreaterThan(100);
    } finally {
      await cache.close();
    }
  });
});

describe('holes: bars the provider sent without prices', () => {
  it('are not final: asked again after the TTL a bounded number of times, then kept as a known hole that explain, listSeries and stats show', async () => {
    const provider = new NullPriceProvider();
    const cache = await openCache({ dir: fx.dir, provider, now, provisionalTtlMs: TTL, statsSnapshots: false });
    try {
      const q = { symbol: 'HOLE', interval: '1d', start: '2023-01-03', end: '2023-12-29' } as const;
      const all = syntheticDailyBars({ symbol: 'HOLE', start: q.start, end: q.end, inclusive: true });
      const bars = await cache.getBars(q);
      expect(bars.length).toBeLessThan(all.length);
      expect(provider.requests).toHaveLength(1);
      const missing = all.length - bars.length;

      const pending = (await cache.listSeries()).find((s) => s.symbol === 'HOLE')!;
      expect(pending.holes).toEqual({ pending: missing, known: 0 });
      expect(cache.stats().holes).toEqual({ pending: missing, known: 0 });
      const explained = await cache.explain(q);
      expect(explained.holes!.pending).toHaveLength(missing);

      // Within the TTL: served as is, no call.
      await cache.getBars(q);
      expect(provider.requests).toHaveLength(1);
      // Past the TTL: the holes are asked again (only them, not the whole year).
      let asks = 1;
      for (let round = 0; round < 10; round++) {
        clock.now += TTL + 1;
        await cache.getBars(q);
        if (provider.requests.length === asks) break;
        asks = provider.requests.length;
      }
      expect(asks).toBeGreaterThan(1);
      expect(asks).toBeLessThanOrEqual(4);
      const known = (await cache.listSeries()).find((s) => s.symbol === 'HOLE')!;
      expect(known.holes).toEqual({ pending: 0, known: missing });
      expect(cache.stats().holes).toEqual({ pending: 0, known: missing });
      expect((await cache.explain(q)).holes!.known).toHaveLength(missing);
      // Known now: no more asks.
      clock.now += 10 * TTL;
      await cache.getBars(q);
      expect(provider.requests).toHaveLength(asks);
      // A prefetch over the range says how many bars are missing.
      const { report } = await cache.prefetch({ symbols: ['HOLE'], interval: '1d', start: q.start, end: q.end });
      expect(report.symbols[0]!.holes).toBe(missing);
      // Clearing the bars before a date clears their holes too.
      await cache.clear({ symbol: 'HOLE', before: '2023-07-01' });
      const left = (await cache.listSeries()).find((s) => s.symbol === 'HOLE')!.holes!;
      expect(left.known).toBeGreaterThan(0);
      expect(left.known).toBeLessThan(missing);
    } finally {
      await cache.close();
    }
  });

  it('heal when the provider sends the prices on a later ask', async () => {
    const provider = new NullPriceProvider();
    const cache = await openCache({ dir: fx.dir, provider, now, provisionalTtlMs: TTL, statsSnapshots: false });
    try {
      const q = { symbol: 'HEAL', interval: '1d', start: '2023-01-03', end: '2023-12-29' } as const;
      const all = syntheticDailyBars({ symbol: 'HEAL', start: q.start, end: q.end, inclusive: true });
      expect((await cache.getBars(q)).length).toBeLessThan(all.length);
      provider.nullEvery = 0;
      clock.now += TTL + 1;
      expect(await cache.getBars(q)).toEqual(all);
      expect((await cache.listSeries()).find((s) => s.symbol === 'HEAL')!.holes).toBeUndefined();
      expect(cache.stats().holes).toEqual({ pending: 0, known: 0 });
      // Final now: never asked again.
      const asked = provider.requests.length;
      clock.now += 10 * TTL;
      await cache.getBars(q);
      expect(provider.requests).toHaveLength(asked);
    } finally {
      await cache.close();
    }
  });
});

describe('stale if error', () => {
  // Tuesday 4 March 2025, 15:00 UTC: New York is trading; the last days' bars are still revisable.
  const MIDDAY = Date.parse('2025-03-04T15:00:00Z');
  const q = { symbol: 'MSFT', interval: '1d', start: '2025-02-03', end: '2025-03-04' } as const;

  it('serves the stored bars marked stale when their refresh fails, then retries later', async () => {
    clock.now = MIDDAY;
    const cache = await fx.open({ now, provisionalTtlMs: TTL });
    const fresh = await cache.getBars(q);
    expect(fresh.length).toBeGreaterThan(15);
    expect(fx.calls('MSFT')).toBe(1);

    clock.now += TTL + 1;
    fx.server.setFault({ kind: 'status', status: 500 }, 'MSFT');
    const status: BarsStatus = {};
    const stale = await cache.getBars({ ...q, status });
    expect(stale).toEqual(fresh);
    expect(status.stale).toBe(true);
    expect(status.error?.code).toBe(ErrorCode.PROVIDER_FAILED);
    expect(cache.stats().stale).toEqual({ served: 1, refreshFailures: 1 });
    expect((await cache.explain(q)).stale!.length).toBeGreaterThan(0);

    // Strict freshness: the failure is the answer.
    expect((await codeAndDetails(cache.getBars({ ...q, strict: true }))).code).toBe(ErrorCode.PROVIDER_FAILED);

    // The provider recovers; after the retry delay the refresh happens and the answer is fresh.
    fx.server.setFault(null, 'MSFT');
    const calls = fx.calls('MSFT');
    clock.now += TTL + 1;
    const after: BarsStatus = {};
    await cache.getBars({ ...q, status: after });
    expect(fx.calls('MSFT')).toBeGreaterThan(calls);
    expect(after.stale).toBe(false);
    expect((await cache.explain(q)).stale ?? []).toEqual([]);
  });

  it('does not retry on every read while the retry delay runs', async () => {
    clock.now = MIDDAY;
    const cache = await fx.open({ now, provisionalTtlMs: TTL });
    await cache.getBars(q);
    clock.now += TTL + 1;
    fx.server.setFault({ kind: 'status', status: 500 }, 'MSFT');
    await cache.getBars(q);
    const calls = fx.calls('MSFT');
    for (let i = 0; i < 5; i++) {
      const status: BarsStatus = {};
      await cache.getBars({ ...q, status });
      expect(status.stale).toBe(true);
    }
    expect(fx.calls('MSFT')).toBe(calls);
  });
});

describe('barcache warm on a range the provider cannot serve', () => {
  it('counts the symbol failed, names OUT_OF_PROVIDER_RANGE and exits non-zero', async () => {
    const { runCli } = await import('../src/cli/program.js');
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ['--dir', fx.dir, 'warm', 'SPY', '-i', '1m', '--from', '2000-01-03', '--to', '2000-01-04'],
      {
        stdout: { write: (s: string) => out.push(s), isTTY: false },
        stderr: { write: (s: string) => err.push(s) },
        stdinIsTTY: false,
        env: {},
        now,
        confirm: async () => false,
      },
      {
        openCache: (o) => openCache({ ...o, provider: fx.provider(), now, statsSnapshots: false }),
        defaultCacheDir: () => fx.dir,
        snapshots: { read: async () => { throw new Error('not used'); }, readRuns: async () => { throw new Error('not used'); } },
        cacheExists: () => true,
      },
    );
    expect(code).not.toBe(0);
    expect(err.join('')).toContain('OUT_OF_PROVIDER_RANGE');
    expect(out.join('')).toMatch(/0\/1 symbol ready/);
  });
});
