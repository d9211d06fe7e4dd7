import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeTempDir, type TempDir } from '@barcache/test-support';
import { openCache, type Bar, type BarCache, type BarProvider, type ColumnWindow, type ProviderRequest } from '@barcache/cache-core';

const DAY = 86_400_000;
const NOW = Date.parse('2025-03-03T20:00:00Z');
const FIRST = Date.parse('2015-01-02T00:00:00Z');
const LAST = Date.parse('2025-02-28T00:00:00Z');

function barAt(t: number): Bar {
  const k = (t - FIRST) / DAY;
  return { time: t, open: 100 + k, high: 101 + k, low: 99 + k, close: 100.5 + k, volume: 1000 + k };
}
const ALL: Bar[] = [];
for (let t = FIRST; t <= LAST; t += DAY) {
  const wd = new Date(t).getUTCDay();
  if (wd !== 0 && wd !== 6) ALL.push(barAt(t));
}
function truth(start: number, end: number): Bar[] {
  return ALL.filter((b) => b.time >= start && b.time <= end);
}

class FakeProvider implements BarProvider {
  readonly name = 'fake';
  calls = 0;
  failNext = 0;
  async fetchBars(req: ProviderRequest) {
    this.calls++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('provider down');
    }
    return { bars: ALL.filter((b) => b.time >= req.start && b.time < req.end).map((b) => ({ ...b })) };
  }
}

function rowsOf(w: ColumnWindow): Bar[] {
  const out: Bar[] = [];
  for (let i = 0; i < w.length; i++) {
    out.push({ time: w.time[i]!, open: w.open[i]!, high: w.high[i]!, low: w.low[i]!, close: w.close[i]!, volume: w.volume[i]! });
  }
  return out;
}

const dayArb = fc.integer({ min: -30, max: (LAST - FIRST) / DAY + 30 }).map((d) => FIRST + d * DAY);
const rangeArb = fc.tuple(dayArb, fc.integer({ min: 0, max: 800 }), fc.integer({ min: 0, max: 2 })).map(([s, len, off]) => ({
  start: s + (off === 1 && len > 0 ? 3_600_000 : 0),
  end: s + len * DAY + (off === 2 && len > 0 ? -1 : 0),
}));
const opArb = fc.oneof(
  rangeArb.map((r) => ({ op: 'get' as const, ...r })),
  rangeArb.map((r) => ({ op: 'peek' as const, ...r })),
  rangeArb.map((r) => ({ op: 'cols' as const, ...r })),
  rangeArb.map((r) => ({ op: 'prefetch' as const, ...r })),
  fc.constant({ op: 'release' as const, start: 0, end: 0 }),
  fc.constant({ op: 'clear' as const, start: 0, end: 0 }),
  fc.integer({ min: 1, max: 3 }).map((n) => ({ op: 'fail' as const, start: n, end: n })),
);

let tmps: TempDir[] = [];
afterEach(async () => {
  for (const t of tmps) await t.cleanup();
  tmps = [];
});

describe('review: random getBars/peekBars/peekColumns/prefetch/clear against the provider', () => {
  for (const maxBytes of [64 * 1024 * 1024, 40_000]) {
    it(`every answer equals the provider's bars (memory ${maxBytes})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
          const tmp = makeTempDir('barcache-review-');
          tmps.push(tmp);
          const provider = new FakeProvider();
          const cache: BarCache = await openCache({ dir: tmp.path, provider, statsSnapshots: false, now: () => NOW, memory: { maxBytes } });
          const windows: { w: ColumnWindow; want: Bar[] }[] = [];
          const sessions: { release(): void }[] = [];
          try {
            for (const o of ops) {
              const q = { symbol: 'AAA', interval: '1d' as const, start: o.start, end: o.end };
              if (o.op === 'fail') {
                provider.failNext = o.start;
                continue;
              }
              if (o.op === 'get') {
                const got = await cache.getBars(q).catch((e: { code?: string }) => {
                  // A range the provider cannot serve (e.g. entirely in the future) is an error only where no bar exists.
                  if (e.code === 'OUT_OF_PROVIDER_RANGE') expect(truth(o.start, o.end)).toEqual([]);
                  else expect(e.code).toBe('PROVIDER_FAILED');
                  return undefined;
                });
                if (got !== undefined) expect(got).toEqual(truth(o.start, o.end));
              }
              else if (o.op === 'peek') {
                const got = cache.peekBars(q);
                if (got !== undefined) expect(got).toEqual(truth(o.start, o.end));
              } else if (o.op === 'cols') {
                const w = cache.peekColumns(q);
                if (w !== undefined) {
                  const want = truth(o.start, o.end);
                  expect(rowsOf(w)).toEqual(want);
                  windows.push({ w, want });
                }
              } else if (o.op === 'prefetch') {
                const session = await cache.prefetch({ symbols: ['AAA'], interval: '1d', start: o.start, end: o.end });
                sessions.push(session);
                const failed = session.report.failed.length > 0;
                if (failed) {
                  const code = session.report.symbols[0]!.error?.code;
                  if (code === 'OUT_OF_PROVIDER_RANGE') expect(truth(o.start, o.end)).toEqual([]);
                  else expect(code).toBe('PROVIDER_FAILED');
                }
                const w = cache.peekColumns(q);
                if (maxBytes > 1e6 && !failed) expect(w).toBeDefined();
                if (w !== undefined) {
                  expect(rowsOf(w)).toEqual(truth(o.start, o.end));
                  windows.push({ w, want: truth(o.start, o.end) });
                }
              } else if (o.op === 'release') sessions.shift()?.release();
              else await cache.clear();
            }
            for (const { w, want } of windows) expect(rowsOf(w)).toEqual(want);
          } finally {
            for (const s of sessions) s.release();
            await cache.close();
          }
        }),
        { numRuns: Number(process.env.REVIEW_RUNS ?? 40) },
      );
    }, 120_000);
  }

  it('a windowed backtest walk (prefetch, then a moving lookback) sees every bar', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 60 }),
        fc.boolean(),
        async (startDay, lookbackDays, stepDays, steps, useCols) => {
          const tmp = makeTempDir('barcache-review-walk-');
          tmps.push(tmp);
          const cache = await openCache({ dir: tmp.path, provider: new FakeProvider(), statsSnapshots: false, now: () => NOW, memory: { maxBytes: 30_000 } });
          try {
            const start = FIRST + startDay * DAY;
            const end = Math.min(LAST, start + steps * stepDays * DAY);
            const kept: { w: ColumnWindow; want: Bar[] }[] = [];
            const session = await cache.prefetch({ symbols: ['AAA'], interval: '1d', start, end, lookback: { days: lookbackDays } });
            for (let cursor = start; cursor <= end; cursor += stepDays * DAY) {
              const q = { symbol: 'AAA', interval: '1d' as const, start: cursor - lookbackDays * DAY, end: cursor };
              const want = truth(q.start, q.end);
              if (useCols) {
                const w = cache.peekColumns(q);
                if (w !== undefined) {
                  expect(rowsOf(w)).toEqual(want);
                  kept.push({ w, want });
                }
              } else {
                const got = cache.peekBars(q) ?? (await cache.getBars(q));
                expect(got).toEqual(want);
              }
              await new Promise((r) => setImmediate(r));
            }
            session.release();
            await cache.getBars({ symbol: 'AAA', interval: '1d', start: FIRST, end: LAST });
            for (const k of kept) expect(rowsOf(k.w)).toEqual(k.want);
          } finally {
            await cache.close();
          }
        },
      ),
      { numRuns: Number(process.env.REVIEW_RUNS ?? 40) },
    );
  }, 200_000);
});
