// The WebAssembly decoder against the JavaScript one (the reference): for every block it takes, the
// same values bit for bit; for every block the reference refuses, it declines. Blocks come from the
// real encoder over market-like series (every column mode the encoder picks: time runs, decimals
// with deltas, neighbours and holes, ratio adjusted closes, raw floats), over arbitrary doubles,
// and from damage: payload bytes and column descriptors changed, checksum recomputed, so the
// damage reaches the column decoders instead of failing the checksum.
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { decodeBlock, encodeBlock } from '../src/tiers/disk/bar-block-codec.js';
import { decodeBlockInJavaScript } from '../src/tiers/disk/bar-block-decode.js';
import { BLOCK_DECODER_MODULE, WasmBlockDecoder } from '../src/tiers/disk/wasm-block-decoder.js';
import type { Bar } from '../src/types.js';
import { blockColumns } from './block-codec-helpers.js';
import { marketLikeBars, type AdjRounding } from './market-like-series.js';

const COLUMNS = ['time', 'close', 'open', 'high', 'low', 'volume', 'adjClose'] as const;

/** The reference: the JavaScript decoder alone. */
function reference(bytes: Uint8Array): BarColumns | 'refused' {
  try {
    return decodeBlockInJavaScript(bytes);
  } catch {
    return 'refused';
  }
}

function header(bytes: Uint8Array) {
  return { n: (bytes[6]! | (bytes[7]! << 8) | (bytes[8]! << 16)) + bytes[9]! * 0x1000000, ncols: bytes[5]! & 1 ? 7 : 6, version: bytes[4]! };
}

/** The decoder's answer, written at an offset inside a larger target (as a load does). */
function viaWasm(decoder: WasmBlockDecoder, bytes: Uint8Array): BarColumns | 'declined' {
  const { n, ncols, version } = header(bytes);
  const pad = 3;
  const target = BarColumns.allocate(n + 2 * pad, ncols === 7);
  for (const key of COLUMNS) target[key]?.fill(-123.5);
  if (!decoder.decodeInto(bytes, n, ncols, version, target, pad)) {
    for (const key of COLUMNS) if (target[key]?.some((v) => v !== -123.5)) expect.fail(`declined, yet ${key} was written`);
    return 'declined';
  }
  for (const key of COLUMNS) {
    const col = target[key];
    if (col === undefined) continue;
    for (const i of [0, 1, 2, n + 3, n + 4, n + 5]) if (col[i] !== -123.5) expect.fail(`${key}[${i}] outside the block was written`);
  }
  return target.view(pad, pad + n);
}

/** Bit-for-bit equality of every column (NaN payloads and -0 included). */
function expectSameBits(a: BarColumns, b: BarColumns): void {
  expect(b.length).toBe(a.length);
  for (const key of COLUMNS) {
    const x = a[key];
    const y = b[key];
    expect(y === undefined).toBe(x === undefined);
    if (x === undefined || y === undefined) continue;
    const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
    if (!Buffer.from(bx).equals(Buffer.from(by))) {
      const i = x.findIndex((v, j) => !Object.is(v, y[j]) || Number.isNaN(v));
      expect.fail(`${key} differs (first at ${i}: ${x[i]} vs ${y[i]})`);
    }
  }
}

/** Runs one block through both; returns whether the WebAssembly decoder took it. */
function compare(decoder: WasmBlockDecoder, bytes: Uint8Array): boolean {
  const ref = reference(bytes);
  const got = viaWasm(decoder, bytes);
  if (ref === 'refused') {
    expect(got, 'a block the reference refuses must be declined').toBe('declined');
    return false;
  }
  if (got === 'declined') return false;
  expectSameBits(ref, got);
  return true;
}

function blocksOf(bars: Bar[], sizes: number[]): Uint8Array[] {
  const cols = BarColumns.fromBars(bars);
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < cols.length; i++) {
    const size = sizes[i % sizes.length]!;
    out.push(encodeBlock(cols.view(at, Math.min(cols.length, at + size))));
    at += size;
  }
  return out;
}

/** A block with its checksum recomputed after a change. */
function resealed(bytes: Uint8Array): Uint8Array {
  const body = bytes.length - 4;
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(body, zlib.crc32(bytes.subarray(0, body)), true);
  return bytes;
}

// Daily bars over up to 300 days, or minute bars over up to 2 days (390 a day).
const marketArb = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  timing: fc.oneof(fc.record({ interval: fc.constant('1d' as const), days: fc.integer({ min: 1, max: 300 }) }), fc.record({ interval: fc.constant('1m' as const), days: fc.integer({ min: 1, max: 2 }) })),
  decimals: fc.constantFrom(2, 4),
  priceFloat32: fc.boolean(),
  dividendYield: fc.constantFrom(0, 0.025, 0.08),
  splitsPerYear: fc.constantFrom(0, 0.5, 3),
  splitAdjustedClose: fc.boolean(),
  adjRounding: fc.constantFrom<AdjRounding>('float32', 'decimal6', 'float32-stepwise', 'double'),
  withAdjClose: fc.boolean(),
  holeRate: fc.constantFrom(0, 0, 0.01, 0.2),
  volatility: fc.constantFrom(0.005, 0.018, 0.08),
}).map(({ timing, ...rest }) => ({ ...rest, ...timing }));
const sizesArb = fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 4 });

const built = existsSync(BLOCK_DECODER_MODULE);

describe.runIf(built)('WasmBlockDecoder against the JavaScript decoder', () => {
  let decoder: WasmBlockDecoder;
  beforeAll(() => {
    decoder = WasmBlockDecoder.load()!;
    expect(decoder).toBeDefined();
  });

  it('takes every block the encoder writes for market-like series, with the same values bit for bit', () => {
    let blocks = 0;
    let taken = 0;
    fc.assert(
      fc.property(marketArb, sizesArb, (opts, sizes) => {
        for (const bytes of blocksOf(marketLikeBars(opts), sizes)) {
          blocks++;
          if (compare(decoder, bytes)) taken++;
        }
      }),
      { numRuns: 120 },
    );
    // The loads this exists for: it must not quietly hand them back to JavaScript.
    expect(taken).toBe(blocks);
  });

  it('arbitrary doubles (raw float modes, NaN payloads, -0, extremes): the same bits, or declined', () => {
    const value = fc.oneof(fc.double(), fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 52) + 0.5));
    const bar = fc.record({ open: value, high: value, low: value, close: value, volume: value, adjClose: fc.option(value, { nil: undefined }) });
    let taken = 0;
    fc.assert(
      fc.property(fc.array(bar, { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 10 ** 9 }), (raw, t0, step) => {
        const withAdj = raw[0]!.adjClose !== undefined;
        const bars = raw.map((b, i) => ({ ...b, time: t0 + i * step, adjClose: withAdj ? (b.adjClose ?? 1) : undefined }));
        const bytes = encodeBlock(BarColumns.fromBars(bars));
        if (compare(decoder, bytes)) taken++;
      }),
      { numRuns: 400 },
    );
    expect(taken).toBeGreaterThan(100);
  });

  it('damage that passes the checksum: whatever the reference refuses is declined, whatever it decodes is decoded alike', () => {
    let refused = 0;
    fc.assert(
      fc.property(marketArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), fc.boolean(), (opts, changes, inDescriptors) => {
        const [block] = blocksOf(marketLikeBars({ ...opts, days: Math.min(opts.days, 60) }), [120]);
        const bytes = Uint8Array.from(block!);
        const cols = blockColumns(bytes);
        // Payload bytes, or the column descriptors' bytes (mode, param, length varint); never the
        // fixed header, which the caller checks before the module is asked.
        const payloadStart = cols[0]!.start;
        const body = bytes.length - 4;
        for (const [where, value] of changes) {
          const at = inDescriptors ? 10 + (where % (payloadStart - 10)) : payloadStart + (where % Math.max(1, body - payloadStart));
          if (at < body) bytes[at] = value;
        }
        const sealed = resealed(bytes);
        if (reference(sealed) === 'refused') refused++;
        compare(decoder, sealed);
      }),
      { numRuns: 1000 },
    );
    expect(refused).toBeGreaterThan(100);
  });

  it('damage the random changes rarely make: trailing bytes, a byte dropped or added, a time or ratio run one bar short', () => {
    const blocks = blocksOf(marketLikeBars({ seed: 11, days: 400, dividendYield: 0.05 }), [61, 250]);
    let checked = 0;
    for (const block of blocks) {
      const cols = blockColumns(block);
      const body = block.length - 4;
      const variants: Uint8Array[] = [];
      // Bytes after the last column, the checksum made to match.
      const longer = new Uint8Array(block.length + 3);
      longer.set(block.subarray(0, body), 0);
      variants.push(resealed(longer));
      // One payload byte dropped, or one added, in each column.
      for (const c of cols) {
        const dropped = new Uint8Array(block.length - 1);
        dropped.set(block.subarray(0, c.start), 0);
        dropped.set(block.subarray(c.start + 1, body), c.start);
        variants.push(resealed(dropped));
        const added = new Uint8Array(block.length + 1);
        added.set(block.subarray(0, c.start), 0);
        added[c.start] = 0;
        added.set(block.subarray(c.start, body), c.start + 1);
        variants.push(resealed(added));
      }
      // The adjusted close's first ratio run one bar shorter (its header is a varint: length << 2 | tag).
      const ratio = cols[6];
      if (ratio !== undefined && ratio.mode === 4) {
        const bytes = Uint8Array.from(block);
        let p = ratio.start;
        while (bytes[p]! >= 0x80) p++; // the run count
        p++;
        if (bytes[p]! < 0x80 && bytes[p]! >= 4) {
          bytes[p] = bytes[p]! - 4;
          variants.push(resealed(bytes));
        }
      }
      // The time column's first run one bar shorter (unit, first time and run count, then per run
      // a step and a repeat count, all varints).
      const time = cols[0]!;
      if (time.mode === 5) {
        const bytes = Uint8Array.from(block);
        let p = time.start;
        for (let skip = 0; skip < 4; skip++) {
          while (bytes[p]! >= 0x80) p++;
          p++;
        }
        if (bytes[p]! < 0x80 && bytes[p]! >= 1) {
          bytes[p] = bytes[p]! - 1;
          variants.push(resealed(bytes));
        }
      }
      for (const v of variants) {
        expect(reference(v), 'each variant is damage the reference refuses').toBe('refused');
        expect(viaWasm(decoder, v)).toBe('declined');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('a neighbour value past 2^51 (the codec bound), written with a valid checksum, is declined', () => {
    const [block] = blocksOf(marketLikeBars({ seed: 5, days: 40 }), [40]);
    const cols = blockColumns(block!);
    const high = cols[3]!;
    expect(high.mode).toBe(2); // decimal, as distances from the close
    // Rebuild the block with the high column's first varint replaced by 2^52 (nine bytes).
    const varint = (v: number) => {
      const out: number[] = [];
      while (v >= 0x80) {
        out.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      out.push(v);
      return out;
    };
    let p = high.start;
    while (block![p]! >= 0x80) p++;
    const firstLength = p + 1 - high.start;
    const payloads = cols.map((c, i) => {
      const bytes = [...block!.subarray(c.start, c.start + c.length)];
      return i === 3 ? [...varint(2 ** 52), ...bytes.slice(firstLength)] : bytes;
    });
    const descriptors = cols.flatMap((c, i) => [c.mode, c.param, ...varint(payloads[i]!.length)]);
    const bytes = Uint8Array.from([...block!.subarray(0, 10), ...descriptors, ...payloads.flat(), 0, 0, 0, 0]);
    const damaged = resealed(bytes);
    expect(reference(damaged)).toBe('refused');
    expect(viaWasm(decoder, damaged)).toBe('declined');
  });

  it('a block far larger than the module memory so far grows it, and still matches', () => {
    const bars = marketLikeBars({ interval: '1m', days: 40, seed: 7 });
    expect(bars.length).toBeGreaterThan(10_000);
    const [bytes] = blocksOf(bars, [bars.length]);
    expect(compare(decoder, bytes!)).toBe(true);
  });

  it("the cache decodes through it: decodeBlock gives the module's answer, which is the reference's", () => {
    const [bytes] = blocksOf(marketLikeBars({ seed: 3, days: 250 }), [250]);
    const answer = decodeBlock(bytes!);
    const wasm = viaWasm(decoder, bytes!);
    expect(wasm).not.toBe('declined');
    expectSameBits(wasm as BarColumns, answer);
    expectSameBits(decodeBlockInJavaScript(bytes!), answer);
  });
});

it('the module is built where the build ran (wasm/build.mjs is part of `pnpm build`)', () => {
  expect(built, `${BLOCK_DECODER_MODULE} is missing: run pnpm build`).toBe(true);
});
