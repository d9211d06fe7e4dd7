/**
 * Decoding bar blocks (the format is described in bar-block-codec.ts): one block into fresh
 * columns, or one block into a pre-sized series at an offset. A series' blocks decoded together
 * into one allocation: series-decode.ts.
 * Tight loops over the bytes with no per-value allocation.
 */
import { BarColumns } from '../../bar-columns.js';
import { BarcacheError, ErrorCode } from '../../errors.js';
import {
  MAGIC0,
  MAGIC1,
  MAGIC2,
  MAGIC3,
  BLOCK_CODEC_VERSION,
  BLOCK_CODEC_V1,
  HEADER_BYTES,
  CRC_BYTES,
  FLAG_ADJ_CLOSE,
  MODE_F64,
  MODE_F32,
  MODE_DEC,
  MODE_TIME,
  MODE_RATIO,
  MODE_TIME_RUNS,
  T_RAW,
  T_DELTA,
  T_REL_CLOSE,
  POW10,
  MAX_K,
  COL_TIME,
  COL_CLOSE,
  COL_ADJ_CLOSE,
  crc32,
  Reader,
  unzigzag,
  readVarints,
} from './bar-block-format.js';
import { decodeRatioColumn } from './adj-ratio-decode.js';
import { decodeTimeRuns } from './time-runs.js';
import { DEC_HOLES, readHoles } from './dec-holes.js';
import { NEIGHBOURS_UNSIGNED, T_NEIGHBOURS, decodeNeighbours } from './neighbour-transform.js';
import { wasmBlockDecoder } from './wasm-block-decoder.js';

/** Pass two: turns the read integers into m (per the transform), in place. */
function applyTransform(m: Float64Array, n: number, transform: number, rel: Float64Array | undefined): void {
  if (transform === T_DELTA) {
    let acc = 0;
    for (let i = 0; i < n; i++) m[i] = acc += m[i]!;
  } else if (transform === T_REL_CLOSE) {
    for (let i = 0; i < n; i++) m[i] = m[i]! + rel![i]!;
  }
}

/** Pass three: value = m / 10^k, rounded to float32 for a float32-origin column. */
function scaleInto(x: Float64Array, m: Float64Array, n: number, p: number, f32: boolean): void {
  if (f32) for (let i = 0; i < n; i++) x[i] = Math.fround(m[i]! / p);
  else for (let i = 0; i < n; i++) x[i] = m[i]! / p;
}

/** Scratch for the scaled integers of a column; grows, never shrinks. Decoding is synchronous. */
let intScratch = new Float64Array(1024);
/** The close column's scaled integers (other columns may be relative to them). */
let closeScratch = new Float64Array(1024);

function decodeDecimal(r: Reader, x: Float64Array, n: number, p: number, f32: boolean, transform: number, isClose: boolean, rel: Float64Array | undefined): Float64Array {
  if (intScratch.length < n) intScratch = new Float64Array(Math.max(n, intScratch.length * 2));
  if (closeScratch.length < n) closeScratch = new Float64Array(Math.max(n, closeScratch.length * 2));
  const m = isClose ? closeScratch : intScratch;
  readVarints(r, m, n, false);
  applyTransform(m, n, transform, rel);
  scaleInto(x, m, n, p, f32);
  return m;
}

function corrupt(message: string, details: Record<string, unknown> = {}): BarcacheError {
  return new BarcacheError(ErrorCode.CORRUPT_BLOCK, `Corrupt bar block: ${message}`, { details });
}

function failIf(message: string | undefined, column: number): void {
  if (message !== undefined) throw corrupt(`column ${column}: ${message}`);
}

/** What a block's header says, before any decoding (see `readBlockHeader`). */
export interface BlockHeader {
  /** Bars in the block. */
  bars: number;
  hasAdjClose: boolean;
}

/**
 * Reads a block's bar count and adjClose flag from its header, without checking the checksum:
 * enough to size the columns a set of blocks will be decoded into. Returns undefined for bytes
 * that cannot be a block (too short, bad magic, a count the bytes cannot hold); decoding such a
 * block throws CORRUPT_BLOCK. A header that passes here may still fail its checksum on decode.
 */
export function readBlockHeader(bytes: Uint8Array): BlockHeader | undefined {
  const len = bytes.length;
  if (len < HEADER_BYTES + CRC_BYTES) return undefined;
  if (bytes[0] !== MAGIC0 || bytes[1] !== MAGIC1 || bytes[2] !== MAGIC2 || bytes[3] !== MAGIC3) return undefined;
  const n = (bytes[6]! | (bytes[7]! << 8) | (bytes[8]! << 16)) + bytes[9]! * 0x1000000;
  if (n > len - CRC_BYTES) return undefined;
  return { bars: n, hasAdjClose: (bytes[5]! & FLAG_ADJ_CLOSE) !== 0 };
}

/**
 * Decodes a block made by `encodeBlock`. Throws BarcacheError CORRUPT_BLOCK on a bad magic,
 * version, length or checksum, or on any inconsistency in the columns.
 */
export function decodeBlock(bytes: Uint8Array): BarColumns {
  return decodeWhole(bytes, decodeChecked);
}

function decodeWhole(bytes: Uint8Array, decode: (block: ParsedBlock, out: BarColumns, offset: number) => void): BarColumns {
  const block = parseBlock(bytes);
  const out = BarColumns.allocate(block.n, block.hasAdj);
  decode(block, out, 0);
  return out;
}

/**
 * Decodes a block straight into `target` at bar index `offset` (bars [offset, offset + count)),
 * allocating nothing per bar or per column: the load path sizes a series once and decodes every
 * block into its place. Returns the block's bar count. Throws CORRUPT_BLOCK as `decodeBlock` does
 * (having possibly written part of the target range), and a RangeError when the block does not
 * fit at `offset` or has an adjClose column the target lacks. Where the block has no adjClose
 * column and the target does, NaN is written (a bar without an adjusted close).
 */
export function decodeBlockInto(bytes: Uint8Array, target: BarColumns, offset: number): number {
  const block = parseBlock(bytes);
  if (!Number.isInteger(offset) || offset < 0 || offset + block.n > target.length) {
    throw new RangeError(`decodeBlockInto: ${block.n} bars do not fit at offset ${offset} of ${target.length}`);
  }
  if (block.hasAdj && target.adjClose === undefined) throw new RangeError('decodeBlockInto: the block has adjClose, the target has no such column');
  decodeChecked(block, target, offset);
  if (!block.hasAdj && target.adjClose !== undefined) target.adjClose.fill(NaN, offset, offset + block.n);
  return block.n;
}

/** A block whose framing and descriptors were checked (`parseBlock`). */
export interface ParsedBlock {
  bytes: Uint8Array;
  dv: DataView;
  n: number;
  hasAdj: boolean;
  body: number;
  modes: Uint8Array;
  params: Uint8Array;
  lengths: number[];
  /** Where the first column's payload starts. */
  pos: number;
}

/**
 * Checks what comes before a block's column descriptors: its size, magic, checksum, version,
 * flags and bar count. Returns the bar count; throws CORRUPT_BLOCK.
 */
export function checkFraming(bytes: Uint8Array): number {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeBlock: expected a Uint8Array');
  const len = bytes.length;
  if (len < HEADER_BYTES + CRC_BYTES) throw corrupt(`too short (${len} bytes)`, { bytes: len });
  if (bytes[0] !== MAGIC0 || bytes[1] !== MAGIC1 || bytes[2] !== MAGIC2 || bytes[3] !== MAGIC3) {
    throw corrupt('bad magic');
  }
  const body = len - CRC_BYTES;
  const stored = uint32At(bytes, body);
  const actual = crc32(bytes.subarray(0, body));
  if (stored !== actual) throw corrupt('checksum mismatch', { stored, actual });
  const version = bytes[4]!;
  if (version !== BLOCK_CODEC_VERSION && version !== BLOCK_CODEC_V1) throw corrupt(`unsupported version ${version}`, { version });
  const flags = bytes[5]!;
  if ((flags & ~FLAG_ADJ_CLOSE) !== 0) throw corrupt(`unknown flags ${flags}`);
  const n = uint32At(bytes, 6);
  // Every column takes at least ~1 byte per bar, so a count beyond the size is corrupt.
  if (n > body) throw corrupt(`bar count ${n} does not fit in ${len} bytes`);
  return n;
}

/** The little-endian unsigned 32-bit integer at `at`. */
function uint32At(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) + bytes[at + 3]! * 0x1000000;
}

/** Checks a block's framing (`checkFraming`) and reads its column descriptors. */
export function parseBlock(bytes: Uint8Array): ParsedBlock {
  const n = checkFraming(bytes);
  const len = bytes.length;
  const body = len - CRC_BYTES;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, len);
  const version = bytes[4]!;
  const hasAdj = (bytes[5]! & FLAG_ADJ_CLOSE) !== 0;
  const ncols = hasAdj ? 7 : 6;
  const r = new Reader(bytes, HEADER_BYTES);
  const modes = new Uint8Array(ncols);
  const params = new Uint8Array(ncols);
  const lengths: number[] = [];
  for (let c = 0; c < ncols; c++) {
    modes[c] = bytes[r.pos++]!;
    params[c] = bytes[r.pos++]!;
    lengths.push(r.varint());
  }
  if (r.pos > body) throw corrupt('truncated header');
  if (version === BLOCK_CODEC_V1) {
    for (let c = 0; c < ncols; c++) {
      const v2Dec = modes[c] === MODE_DEC && (params[c]! & (DEC_HOLES | NEIGHBOURS_UNSIGNED) || params[c]! >> 4 === T_NEIGHBOURS);
      if (modes[c]! > MODE_TIME || v2Dec) throw corrupt(`column ${c}: a version-2 encoding in a version-1 block`);
    }
  }
  return { bytes, dv, n, hasAdj, body, modes, params, lengths, pos: r.pos };
}

/**
 * Decodes a checked block's columns into `out` at bar index `offset`: by the WebAssembly decoder
 * where it is built and takes the block (the same values, bit for bit), else here.
 */
function decodeChecked(block: ParsedBlock, out: BarColumns, offset: number): void {
  if (wasmBlockDecoder()?.decodeInto(block.bytes, block.n, block.hasAdj ? 7 : 6, block.bytes[4]!, out, offset) === true) return;
  decodeColumns(block, out, offset);
}

/**
 * `decodeBlock` by the JavaScript decoder alone: the reference the WebAssembly one is tested
 * against (wasm-block-decoder.ts).
 */
export function decodeBlockInJavaScript(bytes: Uint8Array): BarColumns {
  return decodeWhole(bytes, decodeColumns);
}

/** Decodes a parsed block's columns into `out` at bar index `offset`, in JavaScript. */
export function decodeColumns(block: ParsedBlock, out: BarColumns, offset: number): void {
  const { bytes, dv, n, hasAdj, body, modes, params, lengths } = block;
  const ncols = hasAdj ? 7 : 6;
  const r = new Reader(bytes, block.pos);
  const to = offset + n;
  const targets: Float64Array[] = [out.time, out.close, out.open, out.high, out.low, out.volume];
  if (hasAdj) targets.push(out.adjClose!);
  if (offset !== 0 || to !== out.length) for (let c = 0; c < ncols; c++) targets[c] = targets[c]!.subarray(offset, to);
  let closeInts: Float64Array | undefined;
  for (let c = 0; c < ncols; c++) {
    const start = r.pos;
    const end = start + lengths[c]!;
    if (end > body) throw corrupt(`column ${c} overruns the block`);
    const x = targets[c]!;
    const mode = modes[c]!;
    const param = params[c]!;
    switch (mode) {
      case MODE_F64:
        if (lengths[c] !== n * 8) throw corrupt(`column ${c}: bad float64 length`);
        for (let i = 0, p = start; i < n; i++, p += 8) x[i] = dv.getFloat64(p, true);
        r.pos = end;
        break;
      case MODE_F32:
        if (lengths[c] !== n * 4) throw corrupt(`column ${c}: bad float32 length`);
        for (let i = 0, p = start; i < n; i++, p += 4) x[i] = dv.getFloat32(p, true);
        r.pos = end;
        break;
      case MODE_TIME: {
        if (c !== COL_TIME) throw corrupt(`column ${c}: time encoding on a price column`);
        if (n === 0) break;
        const unit = r.varint();
        let t = unzigzag(r.varint());
        x[0] = t;
        if (n > 1) {
          const deltas = intScratch.length >= n ? intScratch : (intScratch = new Float64Array(Math.max(n, intScratch.length * 2)));
          readVarints(r, deltas, n - 1, false);
          for (let i = 1; i < n; i++) x[i] = t += deltas[i - 1]! * unit;
        }
        break;
      }
      case MODE_DEC: {
        const k = param & 7;
        const f32 = (param & 8) !== 0;
        const transform = (param >> 4) & 3;
        if (k > MAX_K || (param & NEIGHBOURS_UNSIGNED && transform !== T_NEIGHBOURS) || c === COL_TIME) throw corrupt(`column ${c}: bad decimal parameters`);
        if (transform === T_NEIGHBOURS) {
          if (closeInts === undefined || (params[COL_CLOSE]! & 7) !== k || modes[COL_CLOSE] !== MODE_DEC) {
            throw corrupt(`column ${c}: relative to a close that is not decimal at the same scale`);
          }
          failIf(decodeNeighbours(r, x, n, POW10[k]!, f32, c, (param & NEIGHBOURS_UNSIGNED) !== 0, closeInts), c);
          if (param & DEC_HOLES) failIf(readHoles(r, x, n, end), c);
          break;
        }
        let rel: Float64Array | undefined;
        if (transform === T_REL_CLOSE) {
          rel = closeInts;
          if (rel === undefined || (params[COL_CLOSE]! & 7) !== k || modes[COL_CLOSE] !== MODE_DEC) {
            throw corrupt(`column ${c}: relative to a close that is not decimal at the same scale`);
          }
        }
        const ints = decodeDecimal(r, x, n, POW10[k]!, f32, transform, c === COL_CLOSE, rel);
        if (c === COL_CLOSE) closeInts = ints;
        if (param & DEC_HOLES) failIf(readHoles(r, x, n, end), c);
        break;
      }
      case MODE_TIME_RUNS:
        if (c !== COL_TIME) throw corrupt(`column ${c}: time encoding on a price column`);
        failIf(decodeTimeRuns(r, x, n, param, end), c);
        break;
      case MODE_RATIO:
        if (c !== COL_ADJ_CLOSE) throw corrupt(`column ${c}: ratio encoding on a column other than adjClose`);
        failIf(decodeRatioColumn(r, dv, x, targets[COL_CLOSE]!, n, param, end), c);
        break;
      default:
        throw corrupt(`column ${c}: unknown encoding ${mode}`);
    }
    if (r.pos !== end) throw corrupt(`column ${c}: length mismatch`);
  }
  if (r.pos !== body) throw corrupt('trailing bytes');
}

