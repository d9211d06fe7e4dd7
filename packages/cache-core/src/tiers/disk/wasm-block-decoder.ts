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
  decodeColumns(input: number, len: number, n: number, ncols: number, version: number, out: number, stride: number, closeScratch: number, scratch: number): number;
  planSeries(table: number, count: number): number;
  stageSeries(table: number, count: number, out: number): number;
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
  #words: Int32Array;

  private constructor(exports: DecoderExports) {
    this.#exports = exports;
    this.#bytes = new Uint8Array(exports.memory.buffer);
    this.#floats = new Float64Array(exports.memory.buffer);
    this.#words = new Int32Array(exports.memory.buffer);
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
   * format `version`) into `target` at bar `offset`. False, with `target` untouched, when the
   * module declines.
   */
  decodeInto(bytes: Uint8Array, n: number, ncols: number, version: number, target: BarColumns, offset: number): boolean {
    const out = alignUp(INPUT + bytes.length + PAD);
    const closeScratch = out + ncols * n * 8;
    this.#reserve(closeScratch + 2 * n * 8);
    if (!this.#decode(bytes, n, ncols, version, out, n, closeScratch)) return false;
    copyColumns(this.#floats, out >> 3, n, ncols, target, offset);
    return true;
  }

  /**
   * Checks and decodes the blocks of one series, in its time order, in two calls to the module:
   * their headers read (the series' size), then their framing and checksums checked and the
   * blocks it can decode written side by side, laid out as BarColumns lays out a series, to be
   * copied out in one piece (`SeriesStage.copyInto`). A call, a copy and a checksum call per block
   * cost more than the decoding of a year of daily bars; a load reads thousands of such blocks.
   */
  stageBlocks(blocks: readonly Uint8Array[]): SeriesStage {
    const count = blocks.length;
    const table = INPUT;
    let at = alignUp(table + 16 + 16 * count);
    const first = at;
    for (let i = 0; i < count; i++) at = alignUp(at + blocks[i]!.length + PAD);
    this.#reserve(at);
    const mem = this.#bytes;
    const words = this.#words;
    at = first;
    for (let i = 0; i < count; i++) {
      const bytes = blocks[i]!;
      mem.set(bytes, at);
      const e = (table + 16 + 16 * i) >> 2;
      words[e] = at;
      words[e + 1] = bytes.length;
      at = alignUp(at + bytes.length + PAD);
    }
    const total = this.#exports.planSeries(table, count);
    const hasAdj = this.#words[(table >> 2) + 1] !== 0;
    const maxBars = this.#words[(table >> 2) + 2]!;
    const ncols = hasAdj ? 7 : 6;
    const out = at;
    this.#reserve(out + (ncols * total + 2 * maxBars) * 8);
    this.#exports.stageSeries(table, count, out);
    const bars = new Int32Array(count);
    const outcome = new Uint8Array(count);
    const w = this.#words;
    for (let i = 0; i < count; i++) {
      const e = (table + 16 + 16 * i) >> 2;
      bars[i] = w[e + 2]!;
      outcome[i] = w[e + 3]!;
    }
    return { total, hasAdj, bars, outcome, copyInto: (target) => copyColumns(this.#floats, out >> 3, total, ncols, target, 0) };
  }

  /** Copies a block into the module's memory and decodes it: column c at out + c·stride·8. */
  #decode(bytes: Uint8Array, n: number, ncols: number, version: number, out: number, stride: number, closeScratch: number): boolean {
    const len = bytes.length;
    const mem = this.#bytes;
    mem.set(bytes, INPUT);
    mem.fill(0, INPUT + len, INPUT + len + PAD);
    return this.#exports.decodeColumns(INPUT, len, n, ncols, version, out, stride, closeScratch, closeScratch + n * 8) === 0;
  }

  #reserve(bytes: number): void {
    if (bytes > this.#bytes.length) this.#grow(bytes);
  }

  #grow(bytes: number): void {
    const memory = this.#exports.memory;
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    this.#bytes = new Uint8Array(memory.buffer);
    this.#floats = new Float64Array(memory.buffer);
    this.#words = new Int32Array(memory.buffer);
  }
}

/** What a block became in `WasmBlockDecoder.stageBlocks` (`SeriesStage.outcome`). */
export const BLOCK_STAGED = 0;
/** Sound framing, but the module does not decode it exactly as JavaScript would: decode it there. */
export const BLOCK_DECLINED = 1;
/** Its framing or checksum failed here (or it cannot be a block): JavaScript says why. */
export const BLOCK_FAILED = 2;

/** A series staged by `WasmBlockDecoder.stageBlocks`. */
export interface SeriesStage {
  /** Bars in all blocks whose headers could be read: the series' length. */
  readonly total: number;
  /** Whether any such block has an adjusted close (the series then has the column). */
  readonly hasAdj: boolean;
  /** Each block's bar count from its header, -1 when the bytes cannot be a block (readBlockHeader). */
  readonly bars: Int32Array;
  /** Each block's BLOCK_* outcome. */
  readonly outcome: Uint8Array;
  /**
   * Copies the staged series into `target` (a series of `total` bars, with the adjusted close
   * when `hasAdj`): staged blocks hold their values; any other block's place holds nothing useful.
   */
  copyInto(target: BarColumns): void;
}

function alignUp(bytes: number): number {
  return (bytes + 7) & ~7;
}

/**
 * Copies `ncols` columns of `n` values, laid out from f64 index `at` as BarColumns lays them out
 * (time, open, high, low, close, volume, adjClose), into `target` at bar `offset`: in one piece
 * when the target is a whole series laid out the same way in one buffer (what
 * `BarColumns.allocate` makes), else column by column.
 */
function copyColumns(floats: Float64Array, at: number, n: number, ncols: number, target: BarColumns, offset: number): void {
  if (offset === 0 && target.length === n && laidOutAsOne(target, ncols)) {
    const time = target.time;
    new Float64Array(time.buffer, time.byteOffset, ncols * n).set(floats.subarray(at, at + ncols * n));
    return;
  }
  target.time.set(floats.subarray(at, at + n), offset);
  target.open.set(floats.subarray(at + n, at + 2 * n), offset);
  target.high.set(floats.subarray(at + 2 * n, at + 3 * n), offset);
  target.low.set(floats.subarray(at + 3 * n, at + 4 * n), offset);
  target.close.set(floats.subarray(at + 4 * n, at + 5 * n), offset);
  target.volume.set(floats.subarray(at + 5 * n, at + 6 * n), offset);
  if (ncols === 7 && target.adjClose !== undefined) target.adjClose.set(floats.subarray(at + 6 * n, at + 7 * n), offset);
}

/** Whether the target's columns follow each other in one buffer, in BarColumns' order. */
function laidOutAsOne(target: BarColumns, ncols: number): boolean {
  const { time, open, high, low, close, volume, adjClose } = target;
  if ((adjClose === undefined ? 6 : 7) !== ncols) return false;
  const step = time.length * 8;
  const base = time.byteOffset;
  const buffer = time.buffer;
  const columns = [open, high, low, close, volume, adjClose];
  for (let i = 0; i < ncols - 1; i++) {
    const column = columns[i];
    if (column === undefined || column.buffer !== buffer || column.byteOffset !== base + (i + 1) * step) return false;
  }
  return true;
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
