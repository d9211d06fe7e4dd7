import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBarcacheError } from '../src/errors.js';
import { isBlockStart } from '../src/planning/block-layout.js';
import { latestBarEnd, mergeHoles, planFetches, planMany, reachableFrom, splitBySpan, type PlanInput } from '../src/planning/gap-planner.js';
import { clipRanges, intersectRanges, isNormalized, subtractRanges, unionRanges } from '../src/planning/ranges.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../src/intervals.js';
import type { Interval, ProviderLimits, TimeRange } from '../src/types.js';

const MIN = MINUTE_MS;
const HOUR = HOUR_MS;
const DAY = DAY_MS;
const U = Date.UTC;
const r = (start: number, end: number): TimeRange => ({ start, end });

/** Yahoo-like limits: 1m 7 days a call and 30 days of history; 5m/15m 60 days; 60m 730 days. */
const LIMITS: Pick<ProviderLimits, 'maxSpanMs' | 'maxAgeMs'> = {
  maxSpanMs: { '1m': 7 * DAY, '5m': 60 * DAY, '15m': 60 * DAY, '60m': 730 * DAY },
  maxAgeMs: { '1m': 30 * DAY, '5m': 60 * DAY, '15m': 60 * DAY, '60m': 730 * DAY },
};

describe('coverage: weekends and holidays are not gaps', () => {
  it('a weekend inside a fetched daily range is never a gap', () => {
    const fri = U(2024, 9, 4);
    const tue = U(2024, 9, 8);
    const plan = planFetches({ interval: '1d', want: r(fri, tue), covered: [r(fri, tue)], now: U(2025, 0, 1) });
    expect(plan).toEqual({ gaps: [], requests: [], unreachable: [] });
  });
  it('a holiday week inside a fetched minute range is never a gap', () => {
    const now = U(2024, 11, 31, 12);
    const covered = [r(U(2024, 11, 20), U(2024, 11, 31))];
    const plan = planFetches({ interval: '1m', want: r(U(2024, 11, 24), U(2024, 11, 27)), covered, now, limits: LIMITS });
    expect(plan.requests).toEqual([]);
    expect(plan.gaps).toEqual([]);
  });
});

describe('rule 1: the future is never a gap', () => {
  it('intraday: want.end is clamped to the end of the slot holding now', () => {
    const now = U(2024, 9, 1, 14, 30, 15);
    expect(latestBarEnd('1m', now)).toBe(U(2024, 9, 1, 14, 31));
    const plan = planFetches({ interval: '1m', want: r(U(2024, 9, 1), U(2024, 9, 10)), covered: [], now, limits: LIMITS });
    expect(plan.gaps).toEqual([r(U(2024, 9, 1), U(2024, 9, 1, 14, 31))]);
    expect(plan.requests).toEqual([r(U(2024, 9, 1), U(2024, 9, 1, 14, 31))]);
  });
  it('daily: clamped to the slot of now + 14 h (a local date east of UTC may already have a bar)', () => {
    expect(latestBarEnd('1d', U(2024, 9, 1, 9, 59))).toBe(U(2024, 9, 2));
    expect(latestBarEnd('1d', U(2024, 9, 1, 10))).toBe(U(2024, 9, 3));
    const plan = planFetches({ interval: '1d', want: r(U(2024, 8, 1), U(2025, 0, 1)), covered: [r(U(2024, 0, 1), U(2024, 9, 1))], now: U(2024, 9, 1, 14) });
    expect(plan.gaps).toEqual([r(U(2024, 9, 1), U(2024, 9, 3))]);
    expect(plan.requests).toEqual([r(U(2024, 9, 1), U(2024, 9, 3))]);
  });
  it('monthly: the current month is the last slot', () => {
    expect(latestBarEnd('1mo', U(2024, 9, 15))).toBe(U(2024, 10, 1));
  });
  it('a want wholly in the future gives an empty plan', () => {
    const now = U(2024, 9, 1, 14);
    expect(planFetches({ interval: '5m', want: r(U(2024, 9, 2), U(2024, 9, 3)), covered: [], now })).toEqual({
      gaps: [],
      requests: [],
      unreachable: [],
    });
  });
});

describe('rule 3: widening to blocks', () => {
  const now = U(2030, 0, 1);
  it('widens a gap to whole blocks', () => {
    const plan = planFetches({ interval: '1d', want: r(U(2024, 5, 1), U(2024, 5, 10)), covered: [], now });
    expect(plan.requests).toEqual([r(U(2024, 0, 1), U(2025, 0, 1))]);
    expect(plan.gaps).toEqual([r(U(2024, 5, 1), U(2024, 5, 10))]);
  });
  it('never re-requests covered data just because of widening', () => {
    const covered = [r(U(2024, 8, 30), U(2024, 8, 30, 10)), r(U(2024, 8, 30, 11), U(2024, 9, 1))];
    const plan = planFetches({ interval: '1m', want: r(U(2024, 8, 30, 10), U(2024, 8, 30, 11)), covered, now: U(2024, 9, 5), limits: LIMITS });
    expect(plan.requests).toEqual([r(U(2024, 8, 30, 10), U(2024, 8, 30, 11))]);
  });
  it('does not request a block piece that covered data cuts off from the gap', () => {
    const covered = [r(U(2024, 2, 1), U(2024, 5, 1))];
    const plan = planFetches({ interval: '1d', want: r(U(2024, 5, 1), U(2024, 5, 10)), covered, now, mergeHoleMs: 0 });
    expect(plan.requests).toEqual([r(U(2024, 5, 1), U(2025, 0, 1))]);
  });
  it('DST changes play no part (a 1m block is always 24 h UTC)', () => {
    const plan = planFetches({ interval: '1m', want: r(U(2024, 2, 10, 6), U(2024, 2, 10, 8)), covered: [], now: U(2024, 2, 20), limits: LIMITS });
    expect(plan.requests).toEqual([r(U(2024, 2, 10), U(2024, 2, 11))]);
  });
});

describe('rule 5: merging', () => {
  it('merges requests across a small covered hole into one call', () => {
    const covered = [r(U(2024, 9, 1, 12), U(2024, 9, 1, 12, 30))];
    const input: PlanInput = { interval: '1m', want: r(U(2024, 9, 1, 10), U(2024, 9, 1, 14)), covered, now: U(2024, 9, 10), limits: LIMITS };
    expect(planFetches(input).requests).toEqual([r(U(2024, 9, 1), U(2024, 9, 2))]);
    expect(planFetches({ ...input, mergeHoleMs: 0 }).requests).toEqual([
      r(U(2024, 9, 1), U(2024, 9, 1, 12)),
      r(U(2024, 9, 1, 12, 30), U(2024, 9, 2)),
    ]);
  });
  it('adjacent gaps in adjacent blocks become one request', () => {
    const plan = planFetches({ interval: '1m', want: r(U(2024, 9, 1, 23), U(2024, 9, 2, 1)), covered: [], now: U(2024, 9, 10), limits: LIMITS });
    expect(plan.requests).toEqual([r(U(2024, 9, 1), U(2024, 9, 3))]);
  });
  it('daily: one call for gaps on both sides of a cached quarter (the year block bridges it)', () => {
    const covered = [r(U(2024, 2, 1), U(2024, 5, 1))];
    const plan = planFetches({ interval: '1d', want: r(U(2024, 0, 15), U(2024, 6, 1)), covered, now: U(2030, 0, 1) });
    expect(plan.gaps).toEqual([r(U(2024, 0, 15), U(2024, 2, 1)), r(U(2024, 5, 1), U(2024, 6, 1))]);
    expect(plan.requests).toEqual([r(U(2024, 0, 1), U(2025, 0, 1))]);
  });
  it('does not merge when a merge would cost more calls after splitting', () => {
    const covered = [r(U(2024, 9, 15), U(2024, 9, 16))];
    const plan = planFetches({ interval: '1m', want: r(U(2024, 9, 8), U(2024, 9, 23)), covered, now: U(2024, 9, 31), limits: LIMITS });
    expect(plan.requests).toEqual([r(U(2024, 9, 8), U(2024, 9, 15)), r(U(2024, 9, 16), U(2024, 9, 23))]);
  });
  it('far-apart gaps stay separate', () => {
    const covered = [r(U(2020, 0, 1), U(2024, 0, 1))];
    const plan = planFetches({ interval: '1d', want: r(U(2019, 5, 1), U(2024, 5, 1)), covered, now: U(2030, 0, 1) });
    expect(plan.requests).toEqual([r(U(2019, 0, 1), U(2020, 0, 1)), r(U(2024, 0, 1), U(2025, 0, 1))]);
  });
});

describe('rules 4 and 6: provider limits', () => {
  const now = U(2024, 9, 31, 12);
  it('1m: nothing older than 30 days is requested; requests are split into <= 7-day chunks', () => {
    const plan = planFetches({ interval: '1m', want: r(U(2024, 7, 1), now), covered: [], now, limits: LIMITS });
    const cutoff = now - 30 * DAY;
    expect(plan.unreachable).toEqual([r(U(2024, 7, 1), cutoff)]);
    expect(plan.gaps).toEqual([r(U(2024, 7, 1), now)]);
    expect(plan.requests.length).toBe(5);
    for (const q of plan.requests) {
      expect(q.end - q.start).toBeLessThanOrEqual(7 * DAY);
      expect(q.start).toBeGreaterThanOrEqual(cutoff);
    }
    // Widening reaches to the end of the slot holding now.
    expect(unionRanges(plan.requests, [])).toEqual([r(cutoff, now + MIN)]);
    // Chunks after the first start on day blocks.
    for (const q of plan.requests.slice(1)) expect(isBlockStart('1m', q.start)).toBe(true);
  });
  it('the cut-off is rounded up to a bar edge', () => {
    const odd = U(2024, 9, 31, 12, 0, 30);
    expect(reachableFrom('1m', odd, LIMITS)).toBe(U(2024, 9, 1, 12, 1));
    expect(reachableFrom('1d', odd, LIMITS)).toBe(-Infinity);
  });
  it('a want wholly older than maxAge is all unreachable', () => {
    const plan = planFetches({ interval: '1m', want: r(U(2024, 5, 1), U(2024, 5, 2)), covered: [], now, limits: LIMITS });
    expect(plan).toEqual({ gaps: [r(U(2024, 5, 1), U(2024, 5, 2))], requests: [], unreachable: [r(U(2024, 5, 1), U(2024, 5, 2))] });
  });
  it('missing limit entries mean no limit', () => {
    const plan = planFetches({ interval: '1d', want: r(U(1990, 0, 1), U(2024, 0, 1)), covered: [], now, limits: LIMITS });
    expect(plan.requests).toEqual([r(U(1990, 0, 1), U(2024, 0, 1))]);
    expect(plan.unreachable).toEqual([]);
  });
  it('splitBySpan snaps chunk ends to blocks and handles exact multiples', () => {
    expect(splitBySpan('1m', r(U(2024, 0, 1), U(2024, 0, 15)), 7 * DAY)).toEqual([
      r(U(2024, 0, 1), U(2024, 0, 8)),
      r(U(2024, 0, 8), U(2024, 0, 15)),
    ]);
    expect(splitBySpan('1m', r(U(2024, 0, 1, 12), U(2024, 0, 10)), 7 * DAY)).toEqual([
      r(U(2024, 0, 1, 12), U(2024, 0, 8)),
      r(U(2024, 0, 8), U(2024, 0, 10)),
    ]);
    expect(splitBySpan('1m', r(0, 10), 3)).toEqual([r(0, 3), r(3, 6), r(6, 9), r(9, 10)]);
  });
  it('mergeHoles without a cost merges every small hole', () => {
    expect(mergeHoles([r(20, 30), r(0, 10), r(12, 15)], 2)).toEqual([r(0, 15), r(20, 30)]);
  });
});

describe('input checks and planMany', () => {
  it('rejects non-finite bounds, negative merge holes and non-positive spans', () => {
    const base: PlanInput = { interval: '1d', want: r(0, DAY), covered: [], now: U(2024, 0, 1) };
    for (const bad of [
      { ...base, want: r(NaN, 1) },
      { ...base, want: r(-Infinity, 1) },
      { ...base, now: NaN },
      { ...base, mergeHoleMs: -1 },
      { ...base, limits: { maxSpanMs: { '1d': 0 }, maxAgeMs: {} } },
    ]) {
      let err: unknown;
      try {
        planFetches(bad);
      } catch (e) {
        err = e;
      }
      expect(isBarcacheError(err, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
  it('an empty or inverted want plans nothing', () => {
    expect(planFetches({ interval: '1d', want: r(5, 5), covered: [], now: U(2024, 0, 1) }).requests).toEqual([]);
    expect(planFetches({ interval: '1d', want: r(9, 5), covered: [], now: U(2024, 0, 1) }).gaps).toEqual([]);
  });
  it('planMany plans each series on its own, in order', () => {
    const now = U(2030, 0, 1);
    const out = planMany([
      { interval: '1d' as Interval, want: r(U(2024, 0, 1), U(2024, 1, 1)), covered: [], now, symbol: 'AAPL' },
      { interval: '1d' as Interval, want: r(U(2024, 0, 1), U(2024, 1, 1)), covered: [r(U(2023, 0, 1), U(2025, 0, 1))], now, symbol: 'MSFT' },
    ]);
    expect(out.map((o) => [o.input.symbol, o.plan.requests.length])).toEqual([
      ['AAPL', 1],
      ['MSFT', 0],
    ]);
  });
  it('is deterministic and does not mutate its input', () => {
    const covered = Object.freeze([Object.freeze(r(U(2024, 9, 1, 12), U(2024, 9, 1, 13)))]);
    const input: PlanInput = Object.freeze({ interval: '1m', want: Object.freeze(r(U(2024, 9, 1), U(2024, 9, 3))), covered, now: U(2024, 9, 5), limits: LIMITS });
    expect(planFetches(input)).toEqual(planFetches(input));
  });
});

describe('properties', () => {
  const intervals: Interval[] = ['1m', '5m', '15m', '60m', '90m', '1d', '1wk', '1mo', '3mo'];
  const T0 = U(2024, 0, 1);
  const arbInput = fc
    .record({
      interval: fc.constantFrom(...intervals),
      now: fc.integer({ min: T0, max: T0 + 200 * DAY }),
      wantStart: fc.integer({ min: -120 * DAY, max: 20 * DAY }),
      wantLen: fc.integer({ min: 0, max: 150 * DAY }),
      covered: fc.array(fc.tuple(fc.integer({ min: -150 * DAY, max: 30 * DAY }), fc.integer({ min: 0, max: 40 * DAY })), { maxLength: 6 }),
      mergeHoleMs: fc.option(fc.constantFrom(0, HOUR, DAY, 10 * DAY), { nil: undefined }),
      limited: fc.boolean(),
    })
    .map(({ interval, now, wantStart, wantLen, covered, mergeHoleMs, limited }) => {
      const input: PlanInput = {
        interval,
        now,
        want: r(now + wantStart, now + wantStart + wantLen),
        covered: covered.map(([s, l]) => r(now + s, now + s + l)),
        ...(limited ? { limits: LIMITS } : {}),
        ...(mergeHoleMs !== undefined ? { mergeHoleMs } : {}),
      };
      return input;
    });

  it('requests fill every reachable gap, stay clear of covered data (outside merged holes), the future and the limits', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const plan = planFetches(input);
        const end = latestBarEnd(input.interval, input.now);
        const from = reachableFrom(input.interval, input.now, input.limits);
        const clamped = r(input.want.start, Math.min(input.want.end, end));
        // gaps = clamped want − covered
        expect(plan.gaps).toEqual(subtractRanges([clamped], input.covered));
        // requests ∪ covered ⊇ want ∩ reachable
        const reachableWant = clipRanges([clamped], r(from, Infinity));
        expect(subtractRanges(reachableWant, unionRanges(plan.requests, input.covered))).toEqual([]);
        // unreachable = gaps before the cut-off
        expect(plan.unreachable).toEqual(clipRanges(plan.gaps, r(-Infinity, from)));
        // requests are sorted and disjoint; within [from, end); no longer than maxSpan
        const maxSpan = input.limits?.maxSpanMs[input.interval] ?? Infinity;
        for (let i = 0; i < plan.requests.length; i++) {
          const q = plan.requests[i]!;
          expect(q.start).toBeLessThan(q.end);
          if (i > 0) expect(q.start).toBeGreaterThanOrEqual(plan.requests[i - 1]!.end);
          expect(q.start).toBeGreaterThanOrEqual(from);
          expect(q.end).toBeLessThanOrEqual(end);
          expect(q.end - q.start).toBeLessThanOrEqual(maxSpan);
        }
        // requests ∩ covered: only holes bridged by a merge, each no longer than mergeHoleMs
        const hole = input.mergeHoleMs ?? Infinity;
        for (const x of intersectRanges(plan.requests, input.covered)) expect(x.end - x.start).toBeLessThanOrEqual(hole);
        if (input.mergeHoleMs === 0) expect(intersectRanges(plan.requests, input.covered)).toEqual([]);
        // every request touches a reachable gap (nothing is fetched that nobody wants)
        const reachableGaps = subtractRanges(plan.gaps, plan.unreachable);
        for (const q of plan.requests) expect(intersectRanges([q], reachableGaps).length).toBeGreaterThan(0);
        // no gaps → no requests
        if (subtractRanges(plan.gaps, plan.unreachable).length === 0) expect(plan.requests).toEqual([]);
        expect(isNormalized(plan.gaps)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
