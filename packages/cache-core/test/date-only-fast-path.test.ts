import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseTimeInput, dateOnlyMs } from '../src/time-input.js';

/** What 'YYYY-MM-DD' means, by JavaScript's own calendar: Date.UTC, checked by a round trip. */
function oracle(s: string): number | 'error' {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return 'error';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? t : 'error';
}

function parsed(s: string): number | 'error' {
  try {
    return parseTimeInput(s, 'start');
  } catch (e) {
    expect((e as { code?: string }).code).toBe('INVALID_ARGUMENT');
    return 'error';
  }
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

describe("'YYYY-MM-DD' fast path", () => {
  it('gives the calendar answer for every year, month and day, valid or not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const s = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
        expect(parsed(s)).toBe(oracle(s));
        expectFastPath(s);
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees on leap days and the ends of months across four centuries', () => {
    for (let y = 1896; y <= 2404; y++) {
      for (let m = 1; m <= 12; m++) {
        for (const d of [28, 29, 30, 31]) {
          const s = `${y}-${pad(m, 2)}-${pad(d, 2)}`;
          expect(parsed(s)).toBe(oracle(s));
          expectFastPath(s);
        }
      }
    }
  });

  it('agrees on every day of 1899–2201 (the table of the fast path and both sides of its edges)', () => {
    for (let t = Date.UTC(1899, 0, 1); t < Date.UTC(2202, 0, 1); t += 86_400_000) {
      const s = new Date(t).toISOString().slice(0, 10);
      expect(dateOnlyMs(s)).toBe(t);
    }
    for (let y = 1899; y <= 2201; y++) {
      for (let m = 1; m <= 12; m++) {
        const next = new Date(Date.UTC(y, m, 1) - 86_400_000).getUTCDate() + 1; // one past the month's last day
        expect(dateOnlyMs(`${y}-${pad(m, 2)}-${pad(next, 2)}`)).toBe(-1);
      }
    }
  });

  it('leaves every other 10-character string to the general parser', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 10, maxLength: 10, unit: fc.constantFrom(...'0123456789-/ T:Z+x'.split('')) }), (s) => {
        const fast = dateOnlyMs(s);
        if (fast !== -1) expect(fast).toBe(oracle(s));
        expect(parsed(s)).toBe(oracle(s.trim()) === 'error' ? parsedSlow(s) : oracle(s.trim()));
      }),
      { numRuns: 20_000 },
    );
  });
});

/** The fast path itself answers every real date from year 100 on, and declines every non-date. */
function expectFastPath(s: string): void {
  const want = oracle(s);
  const fast = dateOnlyMs(s);
  if (want === 'error' || Number(s.slice(0, 4)) < 100) expect(fast).toBe(-1);
  else expect(fast).toBe(want);
}

/** The general parser's answer for strings that are not a plain date (date-times, junk). */
function parsedSlow(s: string): number | 'error' {
  const t = s.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(t) && Number.isFinite(Date.parse(t))) return Date.parse(t);
  return 'error';
}
