import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { decodeBlock, encodeBlock } from '../src/tiers/disk/bar-block-codec.js';
import { BLOCK_CODEC_VERSION, crc32, MODE_DEC, varintLength, zigzag } from '../src/tiers/disk/bar-block-format.js';
import { COL_HIGH, COL_LOW, COL_OPEN, NEIGHBOURS_UNSIGNED, T_NEIGHBOURS } from '../src/tiers/disk/neighbour-transform.js';
import type { Bar } from '../src/types.js';
import { blockColumns, expectCorrupt, expectSameColumns } from './block-codec-helpers.js';
import { marketLikeBars } from './market-like-series.js';

const f32 = (x: number) => Math.fround(x);
const cents = (x: number) => Math.round(x * 100);

describe('block codec: open, high and low relative to the closes (NEIGHBOURS, version 2)', () => {
  it('is bit-exact for OHLC bars, with or without violations and holes (fast-check)', () => {
    const bar = fc.record({
      close: fc.oneof(fc.integer({ min: 1, max: 1e7 }), fc.constant(0)),
      gap: fc.integer({ min: -500, max: 500 }),
      up: fc.integer({ min: 0, max: 300 }),
      down: fc.integer({ min: 0, max: 300 }),
      // A bad tick that breaks high >= max(open, close) or low <= min(open, close).
      bad: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4),
      f32: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(bar, { maxLength: 150 }), fc.boolean(), (rows, float32) => {
        const price = (m: number) => (float32 ? f32(m / 100) : m / 100);
        let prevClose = rows[0]?.close ?? 0;
        const bars: Bar[] = rows.map((r, i) => {
          const open = Math.max(1, prevClose + r.gap);
          prevClose = r.close;
          let high = Math.max(open, r.close) + r.up;
          let low = Math.max(0, Math.min(open, r.close) - r.down);
          if (r.bad === 1) high = Math.min(open, r.close) - 1;
          if (r.bad === 2) low = Math.max(open, r.close) + 1;
          const b: Bar = { time: Date.UTC(2022, 0, 3) + i * 86_400_000, open: price(open), high: price(high), low: price(low), close: price(r.close), volume: i };
          if (r.bad === 3) b.close = NaN;
          if (r.bad === 4) b.open = -0;
          return b;
        });
        const cols = BarColumns.fromBars(bars);
        expectSameColumns(cols, decodeBlock(encodeBlock(cols)));
      }),
      { numRuns: 500 },
    );
  });

  it('is chosen on market-like daily bars, no bigger than its varints computed from the data', () => {
    for (const seed of [1, 2, 3]) {
      const bars = marketLikeBars({ seed, days: 252 });
      const cols = BarColumns.fromBars(bars);
      const bytes = encodeBlock(cols);
      expect(bytes[4]).toBe(BLOCK_CODEC_VERSION);
      const d = blockColumns(bytes);
      // The unsigned varints of high − close and close − low, the zigzag of open − previous close.
      let high = 0;
      let low = 0;
      let open = 0;
      for (let i = 0; i < bars.length; i++) {
        const b = bars[i]!;
        high += varintLength(cents(b.high) - cents(b.close));
        low += varintLength(cents(b.close) - cents(b.low));
        open += varintLength(zigzag(cents(b.open) - cents(i === 0 ? b.close : bars[i - 1]!.close)));
      }
      for (const [col, bound] of [[COL_OPEN, open], [COL_HIGH, high], [COL_LOW, low]] as const) {
        expect(d[col]!.mode).toBe(MODE_DEC);
        expect(d[col]!.length, `column ${col}`).toBeLessThanOrEqual(bound);
      }
      expect((d[COL_HIGH]!.param >> 4) & 3).toBe(T_NEIGHBOURS);
      expect(d[COL_HIGH]!.param & NEIGHBOURS_UNSIGNED).toBe(NEIGHBOURS_UNSIGNED);
      expect(d[COL_LOW]!.param & NEIGHBOURS_UNSIGNED).toBe(NEIGHBOURS_UNSIGNED);
      expectSameColumns(cols, decodeBlock(bytes));
    }
  });

  it('detects flipped bytes (CRC) and refuses the transform in a version-1 block', () => {
    const cols = BarColumns.fromBars(marketLikeBars({ seed: 7, days: 120, withAdjClose: false }).map((b, i) => ({ ...b, time: i + 0.5 })));
    const good = encodeBlock(cols);
    const high = blockColumns(good)[COL_HIGH]!;
    expect((high.param >> 4) & 3).toBe(T_NEIGHBOURS);
    for (let i = high.start; i < high.start + high.length; i += 2) {
      const bad = good.slice();
      bad[i] = bad[i]! ^ 0x11;
      expectCorrupt(() => decodeBlock(bad));
    }
    const v1 = good.slice();
    v1[4] = 1;
    new DataView(v1.buffer).setUint32(v1.length - 4, crc32(v1.subarray(0, v1.length - 4)), true);
    expectCorrupt(() => decodeBlock(v1));
  });
});
