import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeTempDir, type TempDir } from '@barcache/test-support';
import { openCache, type Bar, type BarCache, type BarProvider, type ProviderRequest } from '@barcache/cache-core';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.parse('2025-01-06T00:00:00Z');
const FIRST = Date.parse('2024-06-03T00:00:00Z');
const TTL = 15 * 60_000;

/** Daily bars on every day up to `now` (the last one forming: its close moves with now). */
function provided(now: number): Bar[] {
  const out: Bar[] = [];
  for (let t = FIRST; t <= now; t += DAY) {
    const forming = t + DAY > now;
    const k = (t - FIRST) / DAY;
    const close = forming ? 100 + k + (now - t) / DAY : 100.5 + k;
    out.push({ time: t, open: 100 + k, high: 102 + k, low: 99 + k, close, volume: 1000 + k });
  }
  return out;
}

class MovingProvider implements BarProvider {
  readonly name = 'moving';
  constructor(private readonly clock: () => number) {}
  async fetchBars(req: ProviderRequest) {
    return { bars: provided(this.clock()).filter((b) => b.time >= req.start && b.time < req.end) };
  }
}

let tmps: TempDir[] = [];
afterEach(async () => {
  for (const t of tmps) await t.cleanup();
  tmps = [];
});

const opArb = fc.record({
  kind: fc.constantFrom('get', 'peek', 'cols', 'prefetch'),
  startDay: fc.integer({ min: -5, max: 240 }),
  len: fc.integer({ min: 0, max: 60 }),
  advance: fc.integer({ min: 0, max: 40 }).map((h) => h * HOUR),
});

describe('review: moving now, a forming bar, provisional TTL', () => {
  it('never misses a bar that exists, and never serves a forming bar older than the TTL', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        const tmp = makeTempDir('barcache-review-now-');
        tmps.push(tmp);
        let now = T0;
        const clock = () => now;
        const cache: BarCache = await openCache({ dir: tmp.path, provider: new MovingProvider(clock), statsSnapshots: false, now: clock, provisionalTtlMs: TTL });
        const sessions: { release(): void }[] = [];
        // close of each forming bar as the provider gave it, by the time it was given
        try {
          for (const o of ops) {
            now += o.advance;
            const start = FIRST + o.startDay * DAY;
            const end = start + o.len * DAY;
            const q = { symbol: 'MOV', interval: '1d' as const, start, end };
            let got: Bar[] | undefined;
            // A range entirely after the latest bar that can exist is OUT_OF_PROVIDER_RANGE: no bar to miss.
            const orNone = (p: Promise<Bar[]>) => p.catch((e: { code?: string }) => (e.code === 'OUT_OF_PROVIDER_RANGE' ? [] : Promise.reject(e)));
            if (o.kind === 'get') got = await orNone(cache.getBars(q));
            else if (o.kind === 'peek') got = cache.peekBars(q);
            else if (o.kind === 'cols') {
              const w = cache.peekColumns(q);
              got = w === undefined ? undefined : Array.from(w.time, (t, i) => ({ time: t, close: w.close[i]! }) as Bar);
            } else {
              sessions.push(await cache.prefetch({ symbols: ['MOV'], interval: '1d', start, end }));
              got = await orNone(cache.getBars(q));
            }
            if (got === undefined) continue;
            const want = provided(now).filter((b) => b.time >= start && b.time <= end);
            expect(got.map((b) => b.time)).toEqual(want.map((b) => b.time));
            for (let i = 0; i < want.length; i++) {
              const w = want[i]!;
              const g = got[i]!;
              if (w.time + DAY + 2 * DAY <= now) expect(g.close).toBe(w.close); // settled bars exact
              else {
                // a recent bar: what the provider said within the TTL (forming close grows with now)
                const oldest = provided(now - TTL - 1).find((b) => b.time === w.time)?.close ?? -Infinity;
                expect(g.close).toBeGreaterThanOrEqual(Math.min(oldest, w.close) - 1e-9);
              }
            }
          }
        } finally {
          for (const s of sessions) s.release();
          await cache.close();
        }
      }),
      { numRuns: Number(process.env.REVIEW_RUNS ?? 40) },
    );
  }, 200_000);
});
