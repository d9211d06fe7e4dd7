import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BarColumns } from '../../bar-columns.js';

/**
 * The WebAssembly build of the block decoder's column loops (wasm/block-decoder.ts, compiled by
 * wasm/build.mjs). A warm load decodes every value once, in a fresh process: in JavaScript most of
 * that time goes to unoptimised code and to optimising it on another core; WebAssembly runs at
 * full speed from the first block. It answers only for blocks it decodes exactly as the JavaScript
 * decoder does (bar-block-decode.ts, which checks the framing and checksum before asking it);
 * for anything else it says no and the JavaScript decoder decodes the block (or throws the
 * precise CORRUPT_BLOCK). `BARCACHE_WASM_DECODER=off` turns it off; a missing build does too.
 */
export const BLOCK_DECODER_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'wasm', 'build', 'block-decoder.wasm');

/** The part of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface DecoderExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  decodeColumns(input: number, len: number, n: number, ncols: number, version: number, out: number, closeScratch: number, scratch: number): number;
}

/** Where the block's bytes go in the module's memory: above the module's own static data. */
const INPUT = 65_536;
const PAGE = 65_536;
/** Zero bytes written past a block, so that reads past its end (a corrupt length) see zeros. */
const PAD = 16;

export class WasmBlockDecoder {
  readonly #exports: DecoderExports;
  #bytes: Uint8Array;
  #floats: Float64Array;

  private constructor(exports: DecoderExports) {
    this.#exports = exports;
    this.#bytes = new Uint8Array(exports.memory.buffer);
    this.#floats = new Float64Array(exports.memory.buffer);
  }

  /** A decoder from the built module, or undefined (not built, or WebAssembly unavailable). */
  static load(file: string = BLOCK_DECODER_MODULE): WasmBlockDecoder | undefined {
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), {});
      return new WasmBlockDecoder(instance.exports as unknown as DecoderExports);
    } catch {
      return undefined;
    }
  }

  /**
   * Decodes the columns of a checked block (`bytes`: the whole block, `n` bars, `ncols` columns,
   * format `version`) into `target` at bar `offset`, in the block's column order (time, close,
   * open, high, low, volume, adjClose). False, with `target` untouched, when the module declines.
   */
  decodeInto(bytes: Uint8Array, n: number, ncols: number, version: number, target: BarColumns, offset: number): boolean {
    const len = bytes.length;
    const out = (INPUT + len + PAD + 7) & ~7;
    const closeScratch = out + ncols * n * 8;
    const scratch = closeScratch + n * 8;
    const need = scratch + n * 8;
    if (need > this.#bytes.length) this.#grow(need);
    const mem = this.#bytes;
    mem.set(bytes, INPUT);
    mem.fill(0, INPUT + len, INPUT + len + PAD);
    if (this.#exports.decodeColumns(INPUT, len, n, ncols, version, out, closeScratch, scratch) !== 0) return false;
    const floats = this.#floats;
    const at = out >> 3;
    target.time.set(floats.subarray(at, at + n), offset);
    target.close.set(floats.subarray(at + n, at + 2 * n), offset);
    target.open.set(floats.subarray(at + 2 * n, at + 3 * n), offset);
    target.high.set(floats.subarray(at + 3 * n, at + 4 * n), offset);
    target.low.set(floats.subarray(at + 4 * n, at + 5 * n), offset);
    target.volume.set(floats.subarray(at + 5 * n, at + 6 * n), offset);
    if (ncols === 7) target.adjClose!.set(floats.subarray(at + 6 * n, at + 7 * n), offset);
    return true;
  }

  #grow(bytes: number): void {
    const memory = this.#exports.memory;
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    this.#bytes = new Uint8Array(memory.buffer);
    this.#floats = new Float64Array(memory.buffer);
  }
}

let shared: { decoder: WasmBlockDecoder | undefined } | undefined;

/**
 * This process's decoder, or undefined: resolved on the first block (reading process.env costs
 * ~2 µs a time, too much per block), so BARCACHE_WASM_DECODER must be set before the first load.
 */
export function wasmBlockDecoder(): WasmBlockDecoder | undefined {
  shared ??= { decoder: process.env.BARCACHE_WASM_DECODER === 'off' ? undefined : WasmBlockDecoder.load() };
  return shared.decoder;
}
