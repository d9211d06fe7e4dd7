import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticDailyBars } from '@barcache/test-support';
import { BarColumns } from '../src/bar-columns.js';
import { decodeBlock, encodeBlock } from '../src/tiers/disk/bar-block-codec.js';
import { BLOCK_CODEC_VERSION, COL_ADJ_CLOSE, crc32, MODE_RATIO } from '../src/tiers/disk/bar-block-format.js';
import type { Bar } from '../src/types.js';
import { blockColumns, expectCorrupt, expectSameColumns } from './block-codec-helpers.js';
import { marketLikeBars, type MarketLikeOptions } from './market-like-series.js';

const DAY = 86_400_000;
const f32 = (x: number) => Math.fround(x);

/** Columns with the given closes and adjusted closes (open/high/low = close, daily times). */
function columnsOf(close: number[], adj: number[]): BarColumns {
  const n = close.length;
  const c = Float64Array.from(close);
  return new BarColumns({
    time: Float64Array.from({ length: n }, (_, i) => Date.UTC(2020, 0, 1) + i * DAY),
    open: c.slice(),
    high: c.slice(),
    low: c.slice(),
    close: c,
    volume: new Float64Array(n),
    adjClose: Float64Array.from(adj),
  });
}

function roundTrip(cols: BarColumns): BarColumns {
  const back = decodeBlock(encodeBlock(cols));
  expectSameColumns(cols, back);
  return back;
}

const ROUNDINGS: Record<string, (x: number) => number> = {
  float32: f32,
  decimal6: (x) => Math.round(x * 1e6) / 1e6,
  decimal4f32: (x) => f32(Math.round(x * 1e4) / 1e4),
  double: (x) => x,
};

describe('block codec: adjClose as runs of a factor times close (RATIO, version 2)', () => {
  it('is bit-exact for arbitrary closes, factor runs, roundings and broken values (fast-check)', () => {
    const anyValue = fc.oneof(
      fc.double(),
      fc.constantFrom(NaN, 0, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE, 2 ** 51, 1e-300),
    );
    const closeValue = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 1e7 }).map((c) => f32(c / 100)) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 1e6 }).map((c) => c / 1e4) },
      { weight: 1, arbitrary: anyValue },
    );
    const factor = fc.oneof(
      fc.double({ min: 0.01, max: 1.5, noNaN: true }),
      fc.constantFrom(1, 0.5, 0.25, 4, 1e-9, 1e9, -1, 0.985),
      fc.float({ min: f32(0.01), max: 2, noNaN: true }).map(f32),
    );
    const block = fc.record({
      closes: fc.array(closeValue, { minLength: 1, maxLength: 300 }),
      runs: fc.array(fc.record({ factor, length: fc.integer({ min: 1, max: 120 }) }), { minLength: 1, maxLength: 6 }),
      rounding: fc.constantFrom(...Object.keys(ROUNDINGS)),
      // Values the reconstruction cannot reproduce: a bad tick, NaN, a value one ulp off.
      breaks: fc.array(fc.record({ at: fc.nat(), value: anyValue, how: fc.constantFrom('set', 'ulp', 'negate') }), { maxLength: 8 }),
      // Bars with an adjusted close but no close.
      closeHoles: fc.array(fc.nat(), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(block, ({ closes, runs, rounding, breaks, closeHoles }) => {
        const n = closes.length;
        const round = ROUNDINGS[rounding]!;
        const adj: number[] = [];
        let r = 0;
        let left = runs[0]!.length;
        for (let i = 0; i < n; i++) {
          if (left === 0 && r + 1 < runs.length) left = runs[++r]!.length;
          left--;
          adj.push(round(closes[i]! * runs[r]!.factor));
        }
        for (const b of breaks) {
          const i = b.at % n;
          adj[i] = b.how === 'ulp' ? adj[i]! * (1 + 2 ** -40) : b.how === 'negate' ? -adj[i]! : b.value;
        }
        const close = closes.slice();
        for (const h of closeHoles) close[h % n] = NaN;
        roundTrip(columnsOf(close, adj));
      }),
      { numRuns: 600 },
    );
  });

  it('round-trips the edge cases by name', () => {
    const closes = Array.from({ length: 60 }, (_, i) => f32(10 + i / 4));
    const adj = closes.map((c) => f32(c * 0.9731));
    const cases: [string, number[], number[]][] = [
      ['one run', closes, adj],
      ['a run broken by one bad value', closes, adj.map((a, i) => (i === 30 ? a * 3 : a))],
      ['a run broken by one value an ulp off', closes, adj.map((a, i) => (i === 30 ? f32(a + a * 2 ** -23) : a))],
      ['NaN in close', closes.map((c, i) => (i % 7 === 0 ? NaN : c)), adj],
      ['NaN in adjClose', closes, adj.map((a, i) => (i % 9 === 0 ? NaN : a))],
      ['close = 0', closes.map((c, i) => (i % 5 === 0 ? 0 : c)), adj],
      ['close = -0 and adjClose = -0', closes.map((c, i) => (i % 5 === 0 ? -0 : c)), adj.map((a, i) => (i % 5 === 0 ? -0 : a))],
      ['adjClose without close', closes.map(() => NaN), adj],
      ['adjClose = 0 everywhere', closes, closes.map(() => 0)],
      ['adjClose = 0 where the rebuilt value is -0', closes.map((c) => -c / 1000), closes.map((c, i) => (i % 2 ? 0 : -0))],
      ['adjClose = -0 where the rebuilt value is 0', closes.map((c) => c / 1000), closes.map((c, i) => (i % 2 ? 0 : -0))],
      ['Infinity', closes.map((c, i) => (i === 3 ? Infinity : c)), adj.map((a, i) => (i === 4 ? -Infinity : a))],
      ['huge magnitudes', closes.map((c) => c * 1e300), closes.map((c) => c * 1e300 * 0.5)],
      ['tiny magnitudes', closes.map((c) => c * 1e-310), closes.map((c) => c * 1e-310 * 0.5)],
      ['negative closes', closes.map((c) => -c), adj.map((a) => -a)],
      ['a factor change every bar', closes, closes.map((c, i) => f32(c * (0.9 + i / 1000)))],
    ];
    for (const [, c, a] of cases) roundTrip(columnsOf(c, a));
  });

  const PER_YEAR = 252;

  /**
   * Bytes per bar bounds computed from the data: the block with its adjClose column must cost at
   * most the block without it, plus a header entry and, per factor run found in the data (a jump
   * of the adjClose / close ratio beyond any rounding), one factor and run length; plus one byte
   * per bar where the source's rounding is not one exact product (`perBar`).
   */
  function expectCompact(bars: Bar[], perBar: number): void {
    for (let y = 0; y + PER_YEAR <= bars.length; y += PER_YEAR) {
      const cols = BarColumns.fromBars(bars.slice(y, y + PER_YEAR));
      const bytes = encodeBlock(cols);
      const without = encodeBlock(cols.withoutAdjClose()).length;
      let runs = 1;
      let holes = 0;
      for (let i = 1; i < cols.length; i++) {
        const q0 = cols.adjClose![i - 1]! / cols.close[i - 1]!;
        const q1 = cols.adjClose![i]! / cols.close[i]!;
        if (!Number.isFinite(q1)) holes++;
        else if (Math.abs(q1 / q0 - 1) > 1e-4) runs++;
      }
      const bound = without + 4 + runs * 11 + holes * 11 + Math.ceil(perBar * cols.length);
      expect(bytes.length, `block ${y / PER_YEAR}`).toBeLessThanOrEqual(bound);
      expect(blockColumns(bytes)[COL_ADJ_CLOSE]!.mode).toBe(MODE_RATIO);
      expect(bytes[4]).toBe(BLOCK_CODEC_VERSION);
      expectSameColumns(cols, decodeBlock(bytes));
    }
  }

  const variants: [string, MarketLikeOptions, number][] = [
    ['float32 (Yahoo chart)', {}, 0],
    ['6 decimals (Yahoo CSV)', { adjRounding: 'decimal6' }, 0],
    ['double prices, close * factor', { adjRounding: 'double', priceFloat32: false }, 0],
    ['no dividends', { dividendYield: 0 }, 0],
    ['splits, close not split-adjusted', { splitsPerYear: 0.5, splitAdjustedClose: false }, 0],
    ['penny stock, 4 decimals', { startPrice: 0.05, decimals: 4, volatility: 0.05 }, 0],
    ['6% yield, volatile', { dividendYield: 0.06, volatility: 0.04 }, 0],
    ['factor applied one dividend at a time in float32', { adjRounding: 'float32-stepwise' }, 1.1],
  ];
  for (const [name, opts, perBar] of variants) {
    it(`is chosen and compact on market-like daily data: ${name}`, () => {
      for (const seed of [1, 2, 3]) expectCompact(marketLikeBars({ ...opts, seed }), perBar);
    });
  }

  it('is chosen and compact on the synthetic generator (dividends every quarter)', () => {
    for (const symbol of ['AAPL', 'MSFT', 'ZZZ']) {
      const bars = syntheticDailyBars({ symbol, start: '2014-01-01', end: '2020-01-01' });
      expectCompact(bars, 0);
    }
  });

  describe('corruption in the new mode', () => {
    const cols = BarColumns.fromBars(marketLikeBars({ seed: 9, days: 252, holeRate: 0 }).map((b, i) => (i === 100 ? { ...b, adjClose: NaN } : b)));
    const good = encodeBlock(cols);
    const adj = blockColumns(good)[COL_ADJ_CLOSE]!;

    it('uses the mode with exceptions (the fixture is what it claims)', () => {
      expect(adj.mode).toBe(MODE_RATIO);
      expectSameColumns(cols, decodeBlock(good));
    });

    it('detects every flipped byte of the column (CRC) and never misreads', () => {
      for (let i = adj.start; i < adj.start + adj.length; i++) {
        for (const mask of [0x01, 0x80, 0xff]) {
          const bad = good.slice();
          bad[i] = bad[i]! ^ mask;
          expectCorrupt(() => decodeBlock(bad));
        }
      }
    });

    it('fails cleanly (CORRUPT_BLOCK, no other error, no hang) on inconsistent payloads that pass the CRC', () => {
      let rejected = 0;
      for (let i = adj.start; i < adj.start + adj.length; i++) {
        for (const value of [0x00, 0x03, 0x7f, 0x80, 0xff]) {
          const bad = good.slice();
          bad[i] = value;
          const body = bad.length - 4;
          new DataView(bad.buffer).setUint32(body, crc32(bad.subarray(0, body)), true);
          try {
            const back = decodeBlock(bad);
            expect(back.length).toBe(cols.length);
          } catch (err) {
            expectCorrupt(() => {
              throw err;
            });
            rejected++;
          }
        }
      }
      expect(rejected).toBeGreaterThan(0);
    });

    it('rejects a new mode inside a block that claims version 1', () => {
      const bad = good.slice();
      bad[4] = 1;
      const body = bad.length - 4;
      new DataView(bad.buffer).setUint32(body, crc32(bad.subarray(0, body)), true);
      expectCorrupt(() => decodeBlock(bad));
    });
  });
});
