/**
 * The on-disk form of a block of bars: compact, columnar, lossless, checksummed.
 *
 * Layout (all multi-byte integers little-endian):
 *
 * ```
 *  0  magic    4 bytes  "BCBK"
 *  4  version  u8       1
 *  5  flags    u8       bit 0: has an adjClose column
 *  6  count    u32      bars in the block
 * 10  column descriptors, in column order time, close, open, high, low, volume[, adjClose]:
 *       mode u8, param u8, payload length varint
 *     column payloads, in the same order
 *  …  crc32    u32      CRC-32 (zlib's) of every byte before it
 * ```
 *
 * Column modes:
 * - `F64` (0): raw float64 values. Always possible.
 * - `F32` (1): raw float32 values, when every value is exactly a float32 (NaN and -0 included).
 * - `DEC` (2): decimal-scaled integers m, value = m / 10^k (or `Math.fround(m / 10^k)` when the
 *   column is flagged float32-origin, as Yahoo's prices are). `param` = k (bits 0-2) |
 *   float32-origin (bit 3) | transform << 4, where the transform says what each zigzag varint
 *   holds: 0 = m itself, 1 = m minus the previous bar's m, 2 = m minus the same bar's close m
 *   (close must be DEC with the same k).
 * - `TIME` (3, time column only): integer times: varint unit, zigzag varint first time, then for
 *   each further bar the zigzag varint of (time − previous time) / unit. The unit is the GCD of
 *   the deltas (a day for daily bars, a minute for minute bars), so most deltas take one byte.
 *
 * The encoder picks, per column, whichever possible mode is smallest. Decoding is a tight loop
 * over the bytes with no per-value allocation.
 */
import * as zlib from 'node:zlib';
import { BarColumns } from '../../bar-columns.js';
import { BarcacheError, ErrorCode } from '../../errors.js';

const MAGIC0 = 0x42; // B
const MAGIC1 = 0x43; // C
const MAGIC2 = 0x42; // B
const MAGIC3 = 0x4b; // K
export const BLOCK_CODEC_VERSION = 1;
const HEADER_BYTES = 10;
const CRC_BYTES = 4;
const FLAG_ADJ_CLOSE = 1;

const MODE_F64 = 0;
const MODE_F32 = 1;
const MODE_DEC = 2;
const MODE_TIME = 3;

const T_RAW = 0;
const T_DELTA = 1;
const T_REL_CLOSE = 2;

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000] as const;
const MAX_K = 6;
/** |m| stays below 2^51 so that deltas (< 2^52) and their zigzag (< 2^53) are exact doubles. */
const MAX_SCALED = 2 ** 51 - 1;

/** Column order in a block. */
const COL_TIME = 0;
const COL_CLOSE = 1;

// ---------------------------------------------------------------------------------------------
// CRC-32

export const crc32: (data: Uint8Array) => number =
  typeof zlib.crc32 === 'function' ? (data) => zlib.crc32(data) : tableCrc32;

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

function varintLength(v: number): number {
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

function zigzag(d: number): number {
  return d >= 0 ? 2 * d : -2 * d - 1;
}

class Writer {
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

class Reader {
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

function unzigzag(z: number): number {
  // `z & 1` keeps the low bit for any integer below 2^53 (ToInt32 is modulo 2^32).
  return z & 1 ? -(z + 1) / 2 : z / 2;
}

// ---------------------------------------------------------------------------------------------
// Encoding

interface ColumnPlan {
  mode: number;
  param: number;
  length: number;
  /** DEC only: the scaled integers. */
  ints?: Float64Array;
  /** TIME only. */
  unit?: number;
}

/** Smallest k (0..6) such that every value is m / 10^k (or fround of it), or -1. */
function decimalScale(x: Float64Array, f32: boolean): number {
  const n = x.length;
  outer: for (let k = 0; k <= MAX_K; k++) {
    const p = POW10[k]!;
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      const m = Math.round(v * p);
      // Larger k only makes m larger, and NaN/Infinity never fit: give up on the column.
      if (!(Math.abs(m) <= MAX_SCALED)) return -1;
      const y = f32 ? Math.fround(m / p) : m / p;
      if (y !== v || (v === 0 && 1 / v < 0)) continue outer;
    }
    return k;
  }
  return -1;
}

function allFloat32(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Object.is(Math.fround(x[i]!), x[i]!)) return false;
  return true;
}

function planPriceColumn(x: Float64Array, close: ColumnPlan | undefined): ColumnPlan {
  const n = x.length;
  let best: ColumnPlan = { mode: MODE_F64, param: 0, length: n * 8 };
  const f32Exact = allFloat32(x);
  if (f32Exact) best = { mode: MODE_F32, param: 0, length: n * 4 };
  if (n === 0) return best;
  let f32Origin = false;
  let k = decimalScale(x, false);
  if (k < 0 && f32Exact) {
    k = decimalScale(x, true);
    f32Origin = true;
  }
  if (k < 0) return best;
  const p = POW10[k]!;
  const ints = new Float64Array(n);
  for (let i = 0; i < n; i++) ints[i] = Math.round(x[i]! * p);
  const closeInts = close?.mode === MODE_DEC && (close.param & 7) === k ? close.ints : undefined;
  let raw = 0;
  let delta = 0;
  let rel = closeInts === undefined ? Infinity : 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const m = ints[i]!;
    raw += varintLength(zigzag(m));
    delta += varintLength(zigzag(m - prev));
    prev = m;
    if (closeInts !== undefined) rel += varintLength(zigzag(m - closeInts[i]!));
  }
  let transform = T_RAW;
  let length = raw;
  if (delta < length) {
    transform = T_DELTA;
    length = delta;
  }
  if (rel < length) {
    transform = T_REL_CLOSE;
    length = rel;
  }
  if (length >= best.length) return best;
  return { mode: MODE_DEC, param: k | (f32Origin ? 8 : 0) | (transform << 4), length, ints };
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

function planTimeColumn(t: Float64Array): ColumnPlan {
  const n = t.length;
  const f64: ColumnPlan = { mode: MODE_F64, param: 0, length: n * 8 };
  if (n === 0) return f64;
  let unit = 0;
  for (let i = 0; i < n; i++) {
    const v = t[i]!;
    if (!Number.isInteger(v) || Math.abs(v) > MAX_SCALED || (v === 0 && 1 / v < 0)) return f64;
    if (i > 0) unit = gcd(unit, Math.abs(v - t[i - 1]!));
  }
  if (unit === 0) unit = 1;
  let length = varintLength(unit) + varintLength(zigzag(t[0]!));
  for (let i = 1; i < n; i++) length += varintLength(zigzag((t[i]! - t[i - 1]!) / unit));
  if (length >= f64.length) return f64;
  return { mode: MODE_TIME, param: 0, length, unit };
}

function writeColumn(w: Writer, x: Float64Array, plan: ColumnPlan, closeInts: Float64Array | undefined): void {
  const n = x.length;
  switch (plan.mode) {
    case MODE_F64:
      for (let i = 0; i < n; i++, w.pos += 8) w.view.setFloat64(w.pos, x[i]!, true);
      return;
    case MODE_F32:
      for (let i = 0; i < n; i++, w.pos += 4) w.view.setFloat32(w.pos, x[i]!, true);
      return;
    case MODE_TIME: {
      const unit = plan.unit!;
      w.varint(unit);
      w.varint(zigzag(x[0]!));
      for (let i = 1; i < n; i++) w.varint(zigzag((x[i]! - x[i - 1]!) / unit));
      return;
    }
    case MODE_DEC: {
      const ints = plan.ints!;
      const transform = plan.param >> 4;
      let prev = 0;
      for (let i = 0; i < n; i++) {
        const m = ints[i]!;
        if (transform === T_RAW) w.varint(zigzag(m));
        else if (transform === T_DELTA) w.varint(zigzag(m - prev));
        else w.varint(zigzag(m - closeInts![i]!));
        prev = m;
      }
      return;
    }
  }
}

/** Encodes a slice of bars into a self-describing, checksummed block. Lossless for any values. */
export function encodeBlock(cols: BarColumns): Uint8Array {
  if (!(cols instanceof BarColumns)) throw new TypeError('encodeBlock: expected BarColumns');
  const n = cols.length;
  const columns: Float64Array[] = [cols.time, cols.close, cols.open, cols.high, cols.low, cols.volume];
  if (cols.adjClose !== undefined) columns.push(cols.adjClose);
  const plans: ColumnPlan[] = [];
  plans.push(planTimeColumn(cols.time));
  const closePlan = planPriceColumn(cols.close, undefined);
  plans.push(closePlan);
  for (let c = 2; c < columns.length; c++) plans.push(planPriceColumn(columns[c]!, c === 5 ? undefined : closePlan));

  let size = HEADER_BYTES + CRC_BYTES;
  for (const p of plans) size += 2 + varintLength(p.length) + p.length;
  const w = new Writer(size);
  w.u8(MAGIC0);
  w.u8(MAGIC1);
  w.u8(MAGIC2);
  w.u8(MAGIC3);
  w.u8(BLOCK_CODEC_VERSION);
  w.u8(cols.adjClose !== undefined ? FLAG_ADJ_CLOSE : 0);
  w.view.setUint32(w.pos, n, true);
  w.pos += 4;
  for (const p of plans) {
    w.u8(p.mode);
    w.u8(p.param);
    w.varint(p.length);
  }
  const closeInts = closePlan.ints;
  for (let c = 0; c < columns.length; c++) {
    const start = w.pos;
    writeColumn(w, columns[c]!, plans[c]!, closeInts);
    if (w.pos - start !== plans[c]!.length) throw new Error(`encodeBlock: column ${c} size mismatch (bug)`);
  }
  w.view.setUint32(w.pos, crc32(w.bytes.subarray(0, w.pos)), true);
  w.pos += 4;
  if (w.pos !== size) throw new Error('encodeBlock: block size mismatch (bug)');
  return w.bytes;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * The inner loop of a decimal column. Varints of one or two bytes (most of them) are read inline;
 * longer ones go through Reader.varint.
 */
function decodeDecimal(
  r: Reader,
  x: Float64Array,
  n: number,
  p: number,
  f32: boolean,
  transform: number,
  ints: Float64Array | undefined,
  rel: Float64Array | undefined,
): void {
  const bytes = r.bytes;
  let pos = r.pos;
  let m = 0;
  for (let i = 0; i < n; i++) {
    let b = bytes[pos++]!;
    let z = b & 0x7f;
    if (b >= 0x80) {
      b = bytes[pos++]!;
      z |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        r.pos = pos - 2;
        z = r.varint();
        pos = r.pos;
      }
    }
    const d = z & 1 ? -(z + 1) / 2 : z / 2;
    if (transform === T_DELTA) m += d;
    else if (transform === T_RAW) m = d;
    else m = d + rel![i]!;
    if (ints !== undefined) ints[i] = m;
    x[i] = f32 ? Math.fround(m / p) : m / p;
  }
  r.pos = pos;
}

function corrupt(message: string, details: Record<string, unknown> = {}): BarcacheError {
  return new BarcacheError(ErrorCode.CORRUPT_BLOCK, `Corrupt bar block: ${message}`, { details });
}

/**
 * Decodes a block made by `encodeBlock`. Throws BarcacheError CORRUPT_BLOCK on a bad magic,
 * version, length or checksum, or on any inconsistency in the columns.
 */
export function decodeBlock(bytes: Uint8Array): BarColumns {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeBlock: expected a Uint8Array');
  const len = bytes.length;
  if (len < HEADER_BYTES + CRC_BYTES) throw corrupt(`too short (${len} bytes)`, { bytes: len });
  if (bytes[0] !== MAGIC0 || bytes[1] !== MAGIC1 || bytes[2] !== MAGIC2 || bytes[3] !== MAGIC3) {
    throw corrupt('bad magic');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, len);
  const body = len - CRC_BYTES;
  const stored = dv.getUint32(body, true);
  const actual = crc32(bytes.subarray(0, body));
  if (stored !== actual) throw corrupt('checksum mismatch', { stored, actual });
  const version = bytes[4]!;
  if (version !== BLOCK_CODEC_VERSION) throw corrupt(`unsupported version ${version}`, { version });
  const flags = bytes[5]!;
  if ((flags & ~FLAG_ADJ_CLOSE) !== 0) throw corrupt(`unknown flags ${flags}`);
  const hasAdj = (flags & FLAG_ADJ_CLOSE) !== 0;
  const n = dv.getUint32(6, true);
  // Every column takes at least ~1 byte per bar, so a count beyond the size is corrupt.
  if (n > body) throw corrupt(`bar count ${n} does not fit in ${len} bytes`);

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

  const out = BarColumns.allocate(n, hasAdj);
  const targets: Float64Array[] = [out.time, out.close, out.open, out.high, out.low, out.volume];
  if (out.adjClose !== undefined) targets.push(out.adjClose);
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
        for (let i = 1; i < n; i++) {
          t += unzigzag(r.varint()) * unit;
          x[i] = t;
        }
        break;
      }
      case MODE_DEC: {
        const k = param & 7;
        const f32 = (param & 8) !== 0;
        const transform = param >> 4;
        if (k > MAX_K || transform > T_REL_CLOSE || c === COL_TIME) throw corrupt(`column ${c}: bad decimal parameters`);
        let ints: Float64Array | undefined;
        if (c === COL_CLOSE) ints = closeInts = new Float64Array(n);
        let rel: Float64Array | undefined;
        if (transform === T_REL_CLOSE) {
          rel = closeInts;
          if (rel === undefined || (params[COL_CLOSE]! & 7) !== k || modes[COL_CLOSE] !== MODE_DEC) {
            throw corrupt(`column ${c}: relative to a close that is not decimal at the same scale`);
          }
        }
        decodeDecimal(r, x, n, POW10[k]!, f32, transform, ints, rel);
        break;
      }
      default:
        throw corrupt(`column ${c}: unknown encoding ${mode}`);
    }
    if (r.pos !== end) throw corrupt(`column ${c}: length mismatch`);
  }
  if (r.pos !== body) throw corrupt('trailing bytes');
  return out;
}
