// A series' blocks decoded together (decodeBlocksShared: staged in the WebAssembly decoder, copied
// out once, finished in JavaScript) against the JavaScript decoder alone, block by block. The
// series mix what a load meets: sound blocks, blocks with and without an adjusted close, blocks
// the WebAssembly decoder declines (a NaN in a raw float column), damage that fails the checksum
// or the framing, and damage under a valid checksum. Every good block must hold the reference's
// values bit for bit, in its place in one allocation; every other block the reference's error.
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { BarcacheError } from '../src/errors.js';
import { decodeBlocksShared, encodeBlock } from '../src/tiers/disk/bar-block-codec.js';
import { decodeBlockInJavaScript } from '../src/tiers/disk/bar-block-decode.js';
import { BLOCK_DECODER_MODULE, BLOCK_STAGED, WasmBlockDecoder } from '../src/tiers/disk/wasm-block-decoder.js';
import { marketLikeBars } from './market-like-series.js';

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume', 'adjClose'] as const;

type Variant = 'sound' | 'noAdj' | 'nanFloat' | 'badChecksum' | 'truncated' | 'resealedDamage';

function block(seed: number, variant: Variant, damageAt: number): Uint8Array {
  const bars = marketLikeBars({ seed, days: 40 + (seed % 200), withAdjClose: variant !== 'noAdj' });
  const cols = BarColumns.fromBars(bars);
  if (variant === 'nanFloat') {
    // A raw float64 column (no decimal or float32 form fits) holding a NaN: the WebAssembly decoder declines it.
    for (let i = 0; i < cols.length; i++) cols.volume[i] = (i + 1) * Math.PI * 1e3;
    cols.volume[seed % cols.length] = NaN;
  }
  const bytes = encodeBlock(cols);
  const body = bytes.length - 4;
  if (variant === 'badChecksum') bytes[body] = bytes[body]! ^ 0x5a;
  if (variant === 'truncated') return bytes.subarray(0, 4 + (damageAt % 12));
  if (variant === 'resealedDamage') {
    const at = 10 + (damageAt % (body - 10));
    bytes[at] = bytes[at]! ^ (1 + (damageAt % 255));
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(body, zlib.crc32(bytes.subarray(0, body)), true);
  }
  return bytes;
}

function reference(bytes: Uint8Array): BarColumns | BarcacheError {
  try {
    return decodeBlockInJavaScript(bytes);
  } catch (err) {
    if (err instanceof BarcacheError) return err;
    throw err;
  }
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const variantArb = fc.constantFrom<Variant>('sound', 'sound', 'sound', 'noAdj', 'nanFloat', 'badChecksum', 'truncated', 'resealedDamage');

describe.runIf(existsSync(BLOCK_DECODER_MODULE))('decodeBlocksShared against the JavaScript decoder, block by block', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the same values bit for bit in one allocation, the same errors, and the sound blocks staged in WebAssembly', () => {
    // Counts what the WebAssembly decoder took (the spies call through: nothing is replaced).
    let staged = 0;
    let sound = 0;
    const stageBlocks = WasmBlockDecoder.prototype.stageBlocks;
    vi.spyOn(WasmBlockDecoder.prototype, 'stageBlocks').mockImplementation(function (this: WasmBlockDecoder, ...args) {
      const stage = stageBlocks.apply(this, args);
      staged += stage.outcome.filter((o) => o === BLOCK_STAGED).length;
      return stage;
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 10_000 }), variantArb, fc.nat()), { minLength: 1, maxLength: 8 }), (specs) => {
        const blocks = specs.map(([seed, variant, at]) => block(seed, variant, at));
        sound += specs.filter(([, v]) => v === 'sound' || v === 'noAdj').length;
        const got = decodeBlocksShared(blocks);
        expect(got).toHaveLength(blocks.length);
        let buffer: ArrayBufferLike | undefined;
        got.forEach((answer, i) => {
          const ref = reference(blocks[i]!);
          if (ref instanceof BarcacheError) {
            expect(answer).toBeInstanceOf(BarcacheError);
            expect((answer as BarcacheError).code).toBe(ref.code);
            expect((answer as BarcacheError).message).toBe(ref.message);
            return;
          }
          expect(answer).toBeInstanceOf(BarColumns);
          const cols = answer as BarColumns;
          expect(cols.length).toBe(ref.length);
          expect(cols.adjClose === undefined).toBe(ref.adjClose === undefined);
          for (const key of COLUMNS) {
            if (ref[key] === undefined) continue;
            expect(sameBits(cols[key]!, ref[key]!), `block ${i} (${specs[i]![1]}): ${key}`).toBe(true);
          }
          buffer ??= cols.time.buffer;
          expect(cols.close.buffer === buffer, 'every block in one allocation').toBe(true);
        });
      }),
      { numRuns: 150 },
    );
    // Sound blocks are the loads this exists for: all of them staged, none handed back to JavaScript.
    expect(sound).toBeGreaterThan(100);
    expect(staged).toBeGreaterThanOrEqual(sound);
  });
});
