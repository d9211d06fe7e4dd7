/**
 * peekColumns' predicted path (the series that followed the last one, a settled range in epoch ms)
 * answers without the checked path. Whatever a caller sends, in whatever order, every call must
 * end as the checked path would end it: peekBars (which never takes the predicted path) is the
 * reference, call for call, for the bars, the error codes and the counts in stats().
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheOnServerPerFile } from '@barcache/test-support/vitest';
import { BarcacheError, type BarCache, type BarQuery } from '@barcache/cache-core';
import { readStatsSnapshots } from '../src/stats/stats-snapshot.js';

const NOW = Date.parse('2025-03-03T20:00:00Z');
const DAY = 86_400_000;

const fx = cacheOnServerPerFile();

type Outcome = { times: number[] | undefined } | { code: string };

function outcome(call: () => { time: number }[] | { time: Float64Array } | undefined): Outcome {
  try {
    const r = call();
    return { times: r === undefined ? undefined : Array.isArray(r) ? r.map((b) => b.time) : Array.from(r.time) };
  } catch (err) {
    if (!(err instanceof BarcacheError)) throw err; // every refusal is coded
    return { code: err.code };
  }
}

function counts(cache: BarCache) {
  const s = cache.stats();
  return { requests: s.requests, l1Hits: s.l1.hits };
}

describe('peekColumns predicted path ≡ the checked path', () => {
  it('random runs of lookbacks over three raw symbols: same bars, same refusals, same counts as peekBars', async () => {
    const cache = await fx.open({ now: () => NOW });
    await using session = await cache.prefetch({ symbols: ['AAPL', 'MSFT'], interval: '1d', start: '2023-01-03', end: '2024-12-31' });
    expect(session.report.failed).toEqual([]);
    const days = (await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2023-01-03', end: '2024-12-31' })).map((b) => b.time);
    const rawSymbols = ['AAPL', 'MSFT', 'aapl'] as const; // 'aapl' is AAPL under another raw name

    // One op: a symbol and a way to ask. Mostly the next day's window (the predicted path's case).
    const opArb = fc.record({
      sym: fc.nat({ max: 2 }),
      kind: fc.constantFrom('next', 'next', 'next', 'next', 'same', 'jump', 'strings', 'status', 'badStatus', 'reversed', 'nan', 'outside', 'early', 'badInterval'),
      jump: fc.nat({ max: days.length - 1 }),
      len: fc.integer({ min: 0, max: 40 }),
      off: fc.constantFrom(0, 1, -1, DAY / 2),
    });
    let answered = 0;
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 20, maxLength: 300 }), async (ops) => {
        const cursor = [29, 29, 29]; // per raw symbol: the window's last day
        for (const op of ops) {
          const symbol = rawSymbols[op.sym]!;
          let d = Math.max(29, cursor[op.sym]!);
          if (op.kind === 'next') d = d + 1 < days.length ? d + 1 : 29;
          if (op.kind === 'jump') d = Math.max(op.len, op.jump);
          cursor[op.sym] = d;
          const start = days[d - (op.kind === 'jump' ? op.len : 29)]! + (op.kind === 'jump' ? op.off : 0);
          const end = days[d]!;
          let q: BarQuery = { symbol, interval: '1d', start, end };
          if (op.kind === 'strings') q = { ...q, start: new Date(start).toISOString().slice(0, 10), end: new Date(end).toISOString().slice(0, 10) };
          if (op.kind === 'status') q = { ...q, status: {} as never };
          if (op.kind === 'badStatus') q = { ...q, status: 'filled in' as never };
          if (op.kind === 'reversed') q = { ...q, start: end, end: start - 1 };
          if (op.kind === 'nan') q = { ...q, end: Number.NaN };
          if (op.kind === 'outside') q = { ...q, end: days.at(-1)! + 400 * DAY };
          if (op.kind === 'early') q = { ...q, start: days[0]! - 30 * DAY };
          if (op.kind === 'badInterval') q = { ...q, interval: '7m' as never };
          const before = counts(cache);
          const columns = outcome(() => cache.peekColumns(q));
          const afterColumns = counts(cache);
          const rows = outcome(() => cache.peekBars(q));
          const afterRows = counts(cache);
          expect(columns).toEqual(rows);
          expect({ requests: afterColumns.requests - before.requests, l1Hits: afterColumns.l1Hits - before.l1Hits }).toEqual({
            requests: afterRows.requests - afterColumns.requests,
            l1Hits: afterRows.l1Hits - afterColumns.l1Hits,
          });
          calls++;
          if ('times' in columns && columns.times !== undefined) answered++;
        }
      }),
      { numRuns: 60 },
    );
    // Most calls were answered (the predicted path answers only those); that it answers them, not the
    // checked path, is measured by the bench's toy backtest (pnpm bench --only backtest), not here.
    expect(answered / calls).toBeGreaterThan(0.4);
    expect(fx.calls('AAPL') + fx.calls('MSFT')).toBe(2); // peeks never fetch
  });

  it('a closed cache refuses the call it would have predicted', async () => {
    const cache = await fx.open({ now: () => NOW });
    const session = await cache.prefetch({ symbols: ['AAPL', 'MSFT'], interval: '1d', start: '2024-01-02', end: '2024-12-31' });
    const days = (await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-12-31' })).map((b) => b.time);
    // The first rounds teach the prediction (AAPL → MSFT → AAPL) and take the sampling rate past
    // every request (the first requests are all timed, on the checked path); later calls take the
    // predicted path, bar one in 8 or fewer.
    const ask = (symbol: string, d: number) => cache.peekColumns({ symbol, interval: '1d', start: days[d - 29]!, end: days[d]! });
    for (let d = 29; d < 130; d++) for (const symbol of ['AAPL', 'MSFT']) expect(ask(symbol, d)?.length).toBe(30);
    await cache.close(); // with the session still open: close itself must leave nothing to predict from
    session.release();
    for (let d = 130; d < 138; d++) for (const symbol of ['AAPL', 'MSFT']) expect(outcome(() => ask(symbol, d))).toEqual({ code: 'CLOSED' });
  });

  it('samples latency exactly as peekBars does, call for call (the sampler counts predicted calls too)', async () => {
    const a = await fx.open({ now: () => NOW });
    const b = await fx.open({ now: () => NOW });
    const plan = { symbols: ['AAPL', 'MSFT'], interval: '1d' as const, start: '2023-01-03', end: '2024-12-31' };
    await using sa = await a.prefetch(plan);
    await using sb = await b.prefetch(plan);
    const days = (await a.getBars({ symbol: 'AAPL', interval: '1d', start: plan.start, end: plan.end })).map((x) => x.time);
    await b.getBars({ symbol: 'AAPL', interval: '1d', start: plan.start, end: plan.end });
    // A query whose start getter throws, now and then: both paths must count it for the sampler alike.
    const bad = { symbol: 'AAPL', interval: '1d', get start(): number { throw new Error('no start'); }, end: days[40]! } as unknown as BarQuery;
    for (let d = 29; d < days.length; d++) {
      if (d % 37 === 0) {
        expect(() => a.peekColumns(bad)).toThrow('no start');
        expect(() => b.peekBars(bad)).toThrow('no start');
      }
      for (const symbol of ['AAPL', 'MSFT']) {
        const q = { symbol, interval: '1d' as const, start: days[d - 29]!, end: days[d]! };
        expect(a.peekColumns(q)?.length).toBe(30);
        expect(b.peekBars(q)?.length).toBe(30);
        const ca = a.stats();
        const cb = b.stats();
        expect([d, symbol, ca.requests, ca.l1.hits, ca.latency.count]).toEqual([d, symbol, cb.requests, cb.l1.hits, cb.latency.count]);
      }
    }
    expect(sa.report.failed.concat(sb.report.failed)).toEqual([]);
  });

  it('reads the query as the checked path does: a bad status is refused before a throwing symbol getter runs', async () => {
    const cache = await fx.open({ now: () => NOW });
    await using session = await cache.prefetch({ symbols: ['AAPL', 'MSFT'], interval: '1d', start: '2024-01-02', end: '2024-12-31' });
    const days = (await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-12-31' })).map((b) => b.time);
    for (let d = 29; d < 150; d++) for (const symbol of ['AAPL', 'MSFT']) cache.peekColumns({ symbol, interval: '1d', start: days[d - 29]!, end: days[d]! });
    const q = { get symbol(): string { throw new Error('boom'); }, interval: '1d', start: days[120]!, end: days[149]!, status: 'bad' } as unknown as BarQuery;
    // Several calls: most would be predicted, one in a few timed on the checked path.
    const viaColumns = Array.from({ length: 8 }, () => outcome(() => cache.peekColumns(q)));
    expect(viaColumns).toEqual(Array.from({ length: 8 }, () => outcome(() => cache.peekBars(q))));
    expect(viaColumns[0]).toEqual({ code: 'INVALID_ARGUMENT' });
    expect(session.report.failed).toEqual([]);
  });

  it("a burst of predicted calls still reaches the process's stats snapshot (what the editor's status bar sums)", async () => {
    const cache = await fx.open({ now: () => NOW, statsSnapshots: true });
    await using session = await cache.prefetch({ symbols: ['AAPL', 'MSFT'], interval: '1d', start: '2024-01-02', end: '2024-12-31' });
    const days = (await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-12-31' })).map((b) => b.time);
    const ask = (symbol: string, d: number) => cache.peekColumns({ symbol, interval: '1d', start: days[d - 29]!, end: days[d]! });
    // Past the sampler's ramp (1 call in 256 is timed and goes the checked path, which also notes the change).
    for (let k = 0; k < 25; k++) for (let d = 29; d < 120; d++) for (const symbol of ['AAPL', 'MSFT']) ask(symbol, d);
    await sleep(1_300); // the writer's trailing write (1 s after the last) has landed
    for (const symbol of ['AAPL', 'MSFT']) expect(ask(symbol, 120)?.length).toBe(30); // a burst the writer is told of only by the predicted path
    await sleep(1_300);
    const mine = (await readStatsSnapshots(fx.dir)).find((e) => e.snapshot.pid === process.pid);
    expect(mine?.snapshot.stats.requests).toBe(cache.stats().requests);
    expect(session.report.failed).toEqual([]);
  });
});

