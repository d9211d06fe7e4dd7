/**
 * The bar block format's constants and byte-level pieces (CRC-32, varints, zigzag), shared by the
 * encoder (bar-block-codec.ts) and the decoder (bar-block-decode.ts). The layout is described in
 * bar-block-codec.ts.
 */
import * as zlib from 'node:zlib';

export const MAGIC0 = 0x42; // B
export const MAGIC1 = 0x43; // C
export const MAGIC2 = 0x42; // B
export const MAGIC3 = 0x4b; // K
/**
 * The version the encoder writes when a block uses a mode added in version 2 (RATIO, TIME_RUNS).
 * Blocks that use only version-1 modes are still written as version 1, so older readers keep
 * reading them; a version-1 reader refuses a version-2 block (unsupported version: CORRUPT_BLOCK).
 */
export const BLOCK_CODEC_VERSION = 2;
/** The first format: modes F64, F32, DEC, TIME. Still decoded. */
export const BLOCK_CODEC_V1 = 1;
export const HEADER_BYTES = 10;
export const CRC_BYTES = 4;
export const FLAG_ADJ_CLOSE = 1;

export const MODE_F64 = 0;
export const MODE_F32 = 1;
export const MODE_DEC = 2;
export const MODE_TIME = 3;
/** Version 2: adjClose as runs of a constant factor times close, plus exceptions (adj-ratio-*.ts). */
export const MODE_RATIO = 4;
/** Version 2: time as runs of equal steps, optionally counted in weekdays (time-runs.ts). */
export const MODE_TIME_RUNS = 5;

export const T_RAW = 0;
export const T_DELTA = 1;
export const T_REL_CLOSE = 2;

export const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000] as const;
export const MAX_K = 6;
/** |m| stays below 2^51 so that deltas (< 2^52) and their zigzag (< 2^53) are exact doubles. */
export const MAX_SCALED = 2 ** 51 - 1;

/** Column order in a block. */
export const COL_TIME = 0;
export const COL_CLOSE = 1;
export const COL_ADJ_CLOSE = 6;

// ---------------------------------------------------------------------------------------------
// CRC-32

export const crc32: (data: Uint8Array) => number =
  typeof zlib.crc32 === 'function' ? (data) => zlib.crc32(data) : tableCrc32;

const utf8 = new TextEncoder();
/** The CRC-32 of a string's UTF-8 bytes (zlib.crc32 encodes a string itself, with no copy to make). */
export const crc32Text: (text: string) => number =
  typeof zlib.crc32 === 'function' ? (text) => zlib.crc32(text) : (text) => tableCrc32(utf8.encode(text));

let CRC_TABLE: Int32Array | undefined;
/** Fallback for runtimes without zlib.crc32 (Node < 20.15): the same CRC-32 (IEEE 802.3). */
export function tableCrc32(data: Uint8Array): number {
  let table = CRC_TABLE;
  if (table === undefined) {
    table = new Int32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let j = 0; j < 8; j++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[i] = c;
    }
    CRC_TABLE = table;
  }
  let crc = -1;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}


// ---------------------------------------------------------------------------------------------
// Varints

export function varintLength(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  let n = 4;
  v = Math.floor(v / 0x10000000);
  while (v > 0) {
    n++;
    v = Math.floor(v / 0x80);
  }
  return n;
}

export function zigzag(d: number): number {
  return d >= 0 ? 2 * d : -2 * d - 1;
}

export class Writer {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(v: number): void {
    this.bytes[this.pos++] = v;
  }
  /** Unsigned integer 0 <= v < 2^53. */
  varint(v: number): void {
    const b = this.bytes;
    if (v < 0x10000000) {
      while (v >= 0x80) {
        b[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      b[this.pos++] = v;
      return;
    }
    while (v >= 0x80) {
      b[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[this.pos++] = v;
  }
}

export class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos: number,
  ) {
    this.pos = pos;
  }
  /** Unsigned varint. Reading past the end yields 0-bits and stops; callers check `pos` after. */
  varint(): number {
    const b = this.bytes;
    let byte = b[this.pos++]!;
    let v = byte & 0x7f;
    if (byte < 0x80) return v;
    byte = b[this.pos++]!;
    v |= (byte & 0x7f) << 7;
    if (byte < 0x80) return v;
    byte = b[this.pos++]!;
    v |= (byte & 0x7f) << 14;
    if (byte < 0x80) return v;
    byte = b[this.pos++]!;
    v |= (byte & 0x7f) << 21;
    if (byte < 0x80) return v;
    let mul = 0x10000000;
    for (let i = 0; i < 5; i++) {
      byte = b[this.pos++]!;
      v += (byte & 0x7f) * mul;
      if (!(byte >= 0x80)) return v;
      mul *= 0x80;
    }
    return v;
  }
}

export function unzigzag(z: number): number {
  // `z & 1` keeps the low bit for any integer below 2^53 (ToInt32 is modulo 2^32).
  return z & 1 ? -(z + 1) / 2 : z / 2;
}

/**
 * Reads `n` varints into `out`, zigzag-decoded to signed integers unless `unsigned` (one pass of a
 * decimal column, or of a NEIGHBOURS column). Varints of
 * up to four bytes (every price delta and most volumes) are read inline with integer arithmetic;
 * longer ones go through Reader.varint.
 */
export function readVarints(r: Reader, out: Float64Array, n: number, unsigned: boolean): void {
  const bytes = r.bytes;
  let pos = r.pos;
  for (let i = 0; i < n; i++) {
    let b = bytes[pos]!;
    let z = b & 0x7f;
    if (b >= 0x80) {
      b = bytes[pos + 1]!;
      z |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        b = bytes[pos + 2]!;
        z |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = bytes[pos + 3]!;
          z |= (b & 0x7f) << 21;
          if (b >= 0x80) {
            r.pos = pos;
            const big = r.varint();
            pos = r.pos;
            out[i] = unsigned ? big : unzigzag(big);
            continue;
          }
          pos++;
        }
        pos++;
      }
      pos++;
    }
    pos++;
    // z < 2^28 here: the integer unzigzag is exact.
    out[i] = unsigned ? z : (z >>> 1) ^ -(z & 1);
  }
  r.pos = pos;
}
