import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { decodeBlock, encodeBlock } from '../src/tiers/disk/bar-block-codec.js';
import { BLOCK_CODEC_VERSION, COL_CLOSE, crc32, MODE_DEC } from '../src/tiers/disk/bar-block-format.js';
import { DEC_HOLES } from '../src/tiers/disk/dec-holes.js';
import type { Bar } from '../src/types.js';
import { blockColumns, expectCorrupt, expectSameColumns } from './block-codec-helpers.js';
import { marketLikeBars } from './market-like-series.js';

const f32 = (x: number) => Math.fround(x);
const KEYS = ['open', 'high', 'low', 'close', 'volume', 'adjClose'] as const;

function withHoles(bars: Bar[], holes: readonly [number, (typeof KEYS)[number]][]): Bar[] {
  const out = bars.map((b) => ({ ...b }));
  for (const [at, key] of holes) out[at % out.length]![key] = NaN;
  return out;
}

describe('block codec: NaN holes in decimal columns (DEC_HOLES, version 2)', () => {
  it('is bit-exact with NaN anywhere in decimal columns (fast-check)', () => {
    const price = fc.oneof(
      fc.integer({ min: -1e7, max: 1e7 }).map((c) => f32(c / 100)),
      fc.integer({ min: 0, max: 1e7 }).map((c) => c / 1e4),
      fc.constantFrom(NaN, 0, -0),
    );
    const bar = fc.record({ open: price, high: price, low: price, close: price, volume: fc.oneof(fc.nat(), fc.constant(NaN)), adjClose: price });
    fc.assert(
      fc.property(fc.array(bar, { maxLength: 120 }), fc.boolean(), (rows, withAdj) => {
        const bars: Bar[] = rows.map((r, i) => {
          const b: Bar = { time: Date.UTC(2021, 0, 4) + i * 86_400_000, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume };
          if (withAdj) b.adjClose = r.adjClose;
          return b;
        });
        const cols = BarColumns.fromBars(bars);
        expectSameColumns(cols, decodeBlock(encodeBlock(cols)));
      }),
      { numRuns: 400 },
    );
  });

  it('keeps a column with holes decimal: a few bytes per hole instead of 4 bytes per bar', () => {
    const clean = marketLikeBars({ seed: 4, days: 252 });
    const holes: [number, (typeof KEYS)[number]][] = [];
    for (let i = 5; i < 252; i += 31) for (const key of KEYS) holes.push([i, key]);
    const holed = withHoles(clean, holes);
    const cleanBytes = encodeBlock(BarColumns.fromBars(clean)).length;
    const cols = BarColumns.fromBars(holed);
    const bytes = encodeBlock(cols);
    // Each hole: its gap in the list (1-2 bytes) and a filler value (a byte or two).
    expect(bytes.length).toBeLessThanOrEqual(cleanBytes + holes.length * 4 + 6 * 2);
    const close = blockColumns(bytes)[COL_CLOSE]!;
    expect(close.mode).toBe(MODE_DEC);
    expect(close.param & DEC_HOLES).toBe(DEC_HOLES);
    expect(bytes[4]).toBe(BLOCK_CODEC_VERSION);
    expectSameColumns(cols, decodeBlock(bytes));
  });

  it('detects flipped bytes in a column with holes (CRC) and refuses holes in a version-1 block', () => {
    const cols = BarColumns.fromBars(withHoles(marketLikeBars({ seed: 5, days: 252 }), [[10, 'close'], [200, 'close']]));
    const good = encodeBlock(cols);
    const close = blockColumns(good)[COL_CLOSE]!;
    for (let i = close.start; i < close.start + close.length; i += 3) {
      const bad = good.slice();
      bad[i] = bad[i]! ^ 0x40;
      expectCorrupt(() => decodeBlock(bad));
    }
    // A block whose only version-2 feature is the holes (fractional times keep TIME_RUNS out).
    const only = BarColumns.fromBars(
      withHoles(marketLikeBars({ seed: 5, days: 100, withAdjClose: false }), [[10, 'close']]).map((b, i) => ({ ...b, time: i + 0.5 })),
    );
    const v2 = encodeBlock(only);
    expect(v2[4]).toBe(BLOCK_CODEC_VERSION);
    expectSameColumns(only, decodeBlock(v2));
    const v1 = v2.slice();
    v1[4] = 1;
    new DataView(v1.buffer).setUint32(v1.length - 4, crc32(v1.subarray(0, v1.length - 4)), true);
    expectCorrupt(() => decodeBlock(v1));
  });
});
