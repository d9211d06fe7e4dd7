import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dropFromLedger,
  EMPTY_LEDGER,
  expireProvisional,
  freshCoverage,
  ledgerCovered,
  normalizeLedger,
  recordFetch,
  type Ledger,
} from '../src/planning/coverage-ledger.js';
import { intersectRanges, isNormalized, subtractRanges, unionRanges } from '../src/planning/ranges.js';
import type { TimeRange } from '../src/types.js';

const r = (start: number, end: number): TimeRange => ({ start, end });
const TTL = 60;

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object') {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

/** The invariants every ledger must keep. */
function expectValid(l: Ledger): void {
  expect(isNormalized(l.final)).toBe(true);
  for (let i = 0; i < l.provisional.length; i++) {
    const p = l.provisional[i]!;
    expect(p.start).toBeLessThan(p.end);
    if (i > 0) expect(p.start).toBeGreaterThanOrEqual(l.provisional[i - 1]!.end);
  }
  expect(intersectRanges(l.final, l.provisional)).toEqual([]);
}

describe('recordFetch', () => {
  it('splits a fetch at finalBefore into final and provisional', () => {
    const l = recordFetch(EMPTY_LEDGER, r(0, 100), 80, 1000);
    expect(l).toEqual({ final: [r(0, 80)], provisional: [{ start: 80, end: 100, fetchedAt: 1000 }] });
    expectValid(l);
  });
  it('a fetch entirely before finalBefore is all final; entirely after, all provisional', () => {
    expect(recordFetch(EMPTY_LEDGER, r(0, 10), 10, 5)).toEqual({ final: [r(0, 10)], provisional: [] });
    expect(recordFetch(EMPTY_LEDGER, r(10, 20), 10, 5)).toEqual({ final: [], provisional: [{ start: 10, end: 20, fetchedAt: 5 }] });
  });
  it('an empty fetch changes nothing (but returns a copy)', () => {
    const before = recordFetch(EMPTY_LEDGER, r(0, 10), 5, 1);
    const after = recordFetch(before, r(7, 7), 100, 2);
    expect(after).toEqual(before);
    expect(after).not.toBe(before);
  });
  it('merges adjacent final fetches into one range', () => {
    let l = recordFetch(EMPTY_LEDGER, r(0, 10), 1000, 1);
    l = recordFetch(l, r(10, 20), 1000, 2);
    expect(l.final).toEqual([r(0, 20)]);
  });
  it('a new fetch replaces the overlapped part of older provisional entries only', () => {
    let l = recordFetch(EMPTY_LEDGER, r(50, 100), 0, 1000);
    l = recordFetch(l, r(70, 80), 0, 2000);
    expect(l.provisional).toEqual([
      { start: 50, end: 70, fetchedAt: 1000 },
      { start: 70, end: 80, fetchedAt: 2000 },
      { start: 80, end: 100, fetchedAt: 1000 },
    ]);
    expectValid(l);
  });
  it('a later fetch makes formerly provisional bars final', () => {
    let l = recordFetch(EMPTY_LEDGER, r(0, 100), 60, 1000); // provisional [60,100)
    l = recordFetch(l, r(50, 100), 90, 2000); // final up to 90 now
    expect(l.final).toEqual([r(0, 90)]);
    expect(l.provisional).toEqual([{ start: 90, end: 100, fetchedAt: 2000 }]);
  });
  it('final wins over provisional even when finalBefore moves backwards', () => {
    let l = recordFetch(EMPTY_LEDGER, r(0, 100), 100, 1);
    l = recordFetch(l, r(50, 120), 60, 2);
    expect(l.final).toEqual([r(0, 100)]);
    expect(l.provisional).toEqual([{ start: 100, end: 120, fetchedAt: 2 }]);
  });
  it('never mutates its input', () => {
    const l = deepFreeze(recordFetch(EMPTY_LEDGER, r(0, 100), 50, 1));
    expect(() => recordFetch(l, r(20, 200), 150, 2)).not.toThrow();
    expect(() => dropFromLedger(l, r(10, 60))).not.toThrow();
    expect(EMPTY_LEDGER).toEqual({ final: [], provisional: [] });
  });
});

describe('freshCoverage and ledgerCovered', () => {
  const l = recordFetch(recordFetch(EMPTY_LEDGER, r(0, 100), 80, 1000), r(200, 300), 0, 2000);
  it('includes provisional ranges only while fetchedAt + ttl > now', () => {
    expect(freshCoverage(l, 1000, TTL)).toEqual([r(0, 100), r(200, 300)]);
    expect(freshCoverage(l, 1059, TTL)).toEqual([r(0, 100), r(200, 300)]);
    expect(freshCoverage(l, 1060, TTL)).toEqual([r(0, 80), r(200, 300)]); // boundary: expired
    expect(freshCoverage(l, 2060, TTL)).toEqual([r(0, 80)]);
  });
  it('ledgerCovered shows everything fetched, expired or not', () => {
    expect(ledgerCovered(l)).toEqual([r(0, 100), r(200, 300)]);
  });
  it('a weekend inside a fetched range stays covered (coverage is ranges, not bars)', () => {
    const fri = Date.UTC(2024, 9, 4);
    const tue = Date.UTC(2024, 9, 8);
    const l2 = recordFetch(EMPTY_LEDGER, r(fri, tue), tue + 86_400_000 * 30, tue);
    expect(freshCoverage(l2, tue + 1e12, TTL)).toEqual([r(fri, tue)]);
  });
});

describe('dropFromLedger', () => {
  const l = recordFetch(EMPTY_LEDGER, r(0, 100), 60, 1000);
  it('cuts a corrupt block out of final and provisional', () => {
    expect(dropFromLedger(l, r(50, 70))).toEqual({
      final: [r(0, 50)],
      provisional: [{ start: 70, end: 100, fetchedAt: 1000 }],
    });
  });
  it('clear --before: drops everything before a time', () => {
    expect(dropFromLedger(l, r(-Infinity, 80))).toEqual({ final: [], provisional: [{ start: 80, end: 100, fetchedAt: 1000 }] });
  });
  it('accepts several ranges', () => {
    expect(dropFromLedger(l, [r(0, 10), r(90, 95)])).toEqual({
      final: [r(10, 60)],
      provisional: [
        { start: 60, end: 90, fetchedAt: 1000 },
        { start: 95, end: 100, fetchedAt: 1000 },
      ],
    });
  });
  it('dropping nothing or outside changes nothing', () => {
    expect(dropFromLedger(l, r(500, 600))).toEqual(l);
    expect(dropFromLedger(l, [])).toEqual(l);
  });
});

describe('expireProvisional and normalizeLedger', () => {
  it('expireProvisional forgets stale provisional entries', () => {
    let l = recordFetch(EMPTY_LEDGER, r(0, 100), 50, 1000);
    l = recordFetch(l, r(200, 210), 0, 5000);
    expect(expireProvisional(l, 1100, TTL)).toEqual({ final: [r(0, 50)], provisional: [{ start: 200, end: 210, fetchedAt: 5000 }] });
  });
  it('normalizeLedger repairs a hand-made ledger: newest wins, final wins', () => {
    const messy: Ledger = {
      final: [r(10, 20), r(0, 10)],
      provisional: [
        { start: 15, end: 40, fetchedAt: 1 },
        { start: 30, end: 50, fetchedAt: 2 },
        { start: 60, end: 60, fetchedAt: 3 },
      ],
    };
    const n = normalizeLedger(messy);
    expect(n).toEqual({
      final: [r(0, 20)],
      provisional: [
        { start: 20, end: 30, fetchedAt: 1 },
        { start: 30, end: 50, fetchedAt: 2 },
      ],
    });
    expectValid(n);
  });
});

describe('properties', () => {
  const arbOp = fc.oneof(
    fc.record({
      kind: fc.constant('fetch' as const),
      a: fc.integer({ min: 0, max: 100 }),
      len: fc.integer({ min: 0, max: 40 }),
      finalBefore: fc.integer({ min: -10, max: 110 }),
    }),
    fc.record({ kind: fc.constant('drop' as const), a: fc.integer({ min: 0, max: 100 }), len: fc.integer({ min: 0, max: 30 }) }),
  );
  it('after any sequence of fetches and drops: valid, covered = fetched − dropped, final ⊆ covered', () => {
    fc.assert(
      fc.property(fc.array(arbOp, { maxLength: 15 }), (ops) => {
        let l: Ledger = EMPTY_LEDGER;
        let model: TimeRange[] = [];
        let now = 0;
        for (const op of ops) {
          now += 10;
          const range = r(op.a, op.a + op.len);
          if (op.kind === 'fetch') {
            l = recordFetch(l, range, op.finalBefore, now);
            model = unionRanges(model, [range]);
            // The just-fetched provisional part is fresh.
            expect(subtractRanges([range], freshCoverage(l, now, 1))).toEqual([]);
          } else {
            l = dropFromLedger(l, range);
            model = subtractRanges(model, [range]);
          }
          expectValid(l);
          expect(ledgerCovered(l)).toEqual(model);
          expect(freshCoverage(l, Infinity, 0)).toEqual(l.final);
        }
      }),
      { numRuns: 400 },
    );
  });
});
