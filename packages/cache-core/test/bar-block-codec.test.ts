import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { decodeBlock, encodeBlock, tableCrc32 } from '../src/tiers/disk/bar-block-codec.js';
import { isBarcacheError } from '../src/errors.js';
import * as zlib from 'node:zlib';
import type { Bar } from '../src/types.js';
import { yahooLikeDaily } from './synthetic-series.js';

function roundTrip(cols: BarColumns): BarColumns {
  return decodeBlock(encodeBlock(cols));
}

/** Column-wise equality that distinguishes -0 and treats NaN as equal to NaN (Object.is). */
function expectSameColumns(a: BarColumns, b: BarColumns): void {
  expect(b.length).toBe(a.length);
  expect(b.adjClose === undefined).toBe(a.adjClose === undefined);
  for (const key of ['time', 'open', 'high', 'low', 'close', 'volume', 'adjClose'] as const) {
    const x = a[key];
    const y = b[key];
    if (x === undefined || y === undefined) continue;
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) expect.fail(`${key}[${i}]: ${x[i]} !== ${y[i]}`);
    }
  }
}

function expectCorrupt(fn: () => unknown): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(isBarcacheError(err, 'CORRUPT_BLOCK'), String(err)).toBe(true);
}

const f32 = (x: number) => Math.fround(x);

describe('bar block codec', () => {
  it('round-trips 0-bar and 1-bar blocks', () => {
    expectSameColumns(BarColumns.empty(), roundTrip(BarColumns.empty()));
    const one = BarColumns.fromBars([{ time: 1_700_000_000_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 }]);
    expectSameColumns(one, roundTrip(one));
    const oneAdj = BarColumns.fromBars([{ time: -5, open: -1.25, high: 2, low: -3, close: 0, volume: 0, adjClose: 7 }]);
    expectSameColumns(oneAdj, roundTrip(oneAdj));
    expect(roundTrip(oneAdj).toBars()).toEqual(oneAdj.toBars());
  });

  it('round-trips a Yahoo-like 10-year daily series at <= 24 bytes per bar', () => {
    const bars = yahooLikeDaily(10, 42);
    expect(bars.length).toBeGreaterThan(2400);
    const cols = BarColumns.fromBars(bars);
    const bytes = encodeBlock(cols);
    const perBar = bytes.length / cols.length;
    expect(perBar).toBeLessThanOrEqual(24);
    expect(decodeBlock(bytes).toBars()).toEqual(bars);
    // One year (the daily block size) stays small too.
    const year = BarColumns.fromBars(bars.slice(0, 252));
    expect(encodeBlock(year).length / 252).toBeLessThanOrEqual(24);
  });


  it('is lossless for arbitrary doubles (fast-check)', () => {
    const double = fc.double({ noNaN: true, noDefaultInfinity: true });
    const bar = fc.record({
      time: fc.integer({ min: -2e12, max: 4e12 }),
      open: double,
      high: double,
      low: double,
      close: double,
      volume: double,
    });
    fc.assert(
      fc.property(fc.array(bar, { maxLength: 60 }), fc.boolean(), (bars, withAdj) => {
        const input: Bar[] = bars.map((b, i) => (withAdj ? { ...b, adjClose: b.close * (i + 1) } : b));
        const cols = BarColumns.fromBars(input);
        expectSameColumns(cols, roundTrip(cols));
      }),
      { numRuns: 300 },
    );
  });

  it('is lossless for float32 values, cents, huge volumes and negative prices (fast-check)', () => {
    const price = fc.oneof(
      fc.integer({ min: -1e7, max: 1e7 }).map((c) => c / 100),
      fc.integer({ min: -1e7, max: 1e7 }).map((c) => f32(c / 100)),
      fc.float({ noNaN: true, noDefaultInfinity: true }).map(f32),
      fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
      fc.constantFrom(0, -0, 1e-7, 2 ** 51, -(2 ** 51), 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE),
    );
    const volume = fc.oneof(
      fc.integer({ min: 0, max: 1e9 }),
      fc.constantFrom(2 ** 53 - 1, 1e18, 1e300, 0.5, -7),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );
    const time = fc.oneof(
      fc.integer({ min: 0, max: 20000 }).map((d) => Date.UTC(1962, 0, 2) + d * 86_400_000),
      fc.integer({ min: 0, max: 1e6 }).map((m) => 1.7e12 + m * 60_000),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );
    const bar = fc.record(
      { time, open: price, high: price, low: price, close: price, volume, adjClose: price },
      { requiredKeys: ['time', 'open', 'high', 'low', 'close', 'volume'] },
    );
    fc.assert(
      fc.property(fc.array(bar, { maxLength: 80 }), (bars) => {
        const cols = BarColumns.fromBars(bars);
        const back = roundTrip(cols);
        expectSameColumns(cols, back);
        expect(back.toBars()).toEqual(cols.toBars());
      }),
      { numRuns: 400 },
    );
  });

  it('keeps NaN, Infinity and -0 (a mixed adjClose column holds NaN)', () => {
    const cols = BarColumns.fromBars([
      { time: 0, open: NaN, high: Infinity, low: -Infinity, close: -0, volume: 0 },
      { time: 60_000, open: 1, high: 2, low: 0, close: 1, volume: 5, adjClose: 1 },
    ]);
    expectSameColumns(cols, roundTrip(cols));
  });

  it('uses the same CRC-32 as zlib in its fallback', () => {
    const data = new TextEncoder().encode('The quick brown fox jumps over the lazy dog');
    expect(tableCrc32(data)).toBe(0x414fa339);
    if (typeof zlib.crc32 === 'function') expect(tableCrc32(data)).toBe(zlib.crc32(data));
  });

  describe('corruption', () => {
    const good = encodeBlock(BarColumns.fromBars(yahooLikeDaily(1, 5)));

    it('rejects a bad magic, version, length or checksum with CORRUPT_BLOCK', () => {
      const magic = good.slice();
      magic[0] = 0;
      expectCorrupt(() => decodeBlock(magic));
      const version = good.slice();
      version[4] = 99;
      expectCorrupt(() => decodeBlock(version));
      expectCorrupt(() => decodeBlock(good.subarray(0, 8)));
      expectCorrupt(() => decodeBlock(good.subarray(0, good.length - 1)));
      expectCorrupt(() => decodeBlock(new Uint8Array(0)));
    });

    it('detects any single flipped byte', () => {
      for (let i = 0; i < good.length; i += Math.max(1, Math.floor(good.length / 200))) {
        const bad = good.slice();
        bad[i] = bad[i]! ^ 0x5a;
        expectCorrupt(() => decodeBlock(bad));
      }
    });

    it('decodes from a Uint8Array at any offset (as LevelDB hands values back)', () => {
      const padded = new Uint8Array(good.length + 3);
      padded.set(good, 3);
      expect(decodeBlock(padded.subarray(3)).toBars()).toEqual(decodeBlock(good).toBars());
    });
  });
});
