/**
 * The on-disk form of a block of bars: compact, columnar, lossless, checksummed.
 *
 * Layout (all multi-byte integers little-endian):
 *
 * ```
 *  0  magic    4 bytes  "BCBK"
 *  4  version  u8       1, or 2 when a column uses a version-2 mode or flag (below)
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
 *   float32-origin (bit 3) | transform << 4 (bits 4-5), where the transform says what each zigzag
 *   varint holds: 0 = m itself, 1 = m minus the previous bar's m, 2 = m minus the same bar's close m
 *   (close must be DEC with the same k). Version 2: transform 3 (`NEIGHBOURS`, open/high/low
 *   only, close DEC at the same k) = open − the previous bar's close m, high − close m, close m −
 *   low, as plain varints when none is negative (param bit 7), else zigzag (neighbour-transform.ts); bit 6 (`DEC_HOLES`) = the column has NaN values: the n
 *   varints hold a filler at each, and a hole list follows them (dec-holes.ts).
 * - `TIME` (3, time column only): integer times: varint unit, zigzag varint first time, then for
 *   each further bar the zigzag varint of (time − previous time) / unit. The unit is the GCD of
 *   the deltas (a day for daily bars, a minute for minute bars), so most deltas take one byte.
 * - `RATIO` (4, version 2, adjClose only): runs of one factor f with adjClose = close × f rounded
 *   as the source rounds it (float32, k decimals, or double: `param`), each run a varint length and
 *   its factor (8, 4 or 0 bytes), plus the bars it does not rebuild bit for bit as exceptions (NaN,
 *   a raw float64, or a small residual), listed or one code per bar. A year of daily bars with
 *   quarterly dividends costs ~50 bytes instead of ~3.4 per bar. Layout in adj-ratio.ts.
 * - `TIME_RUNS` (5, version 2, time only): runs of equal steps (zigzag step, varint repeats), the
 *   steps counted in Monday–Friday days for daily bars (`param` bit 0), so a year of daily times
 *   is a dozen runs (one per holiday). Layout in time-runs.ts.
 *
 * The encoder picks, per column, whichever possible mode is smallest, and writes version 1 when no
 * column needs a version-2 mode (`maxVersion: 1` forces that). The decoder reads both versions; a
 * version-1 reader refuses a version-2 block as `CORRUPT_BLOCK` (unsupported version), never
 * misreading it. Decoding is a tight loop over the bytes with no per-value allocation.
 */
import { BarColumns } from '../../bar-columns.js';
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
  MAX_SCALED,
  crc32,
  varintLength,
  zigzag,
  Writer,
} from './bar-block-format.js';
import { planRatioColumn } from './adj-ratio-plan.js';
import { planTimeRuns } from './time-runs.js';
import { DEC_HOLES, holesLength, writeHoles } from './dec-holes.js';
import { NEIGHBOURS_UNSIGNED, T_NEIGHBOURS, neighbourDelta } from './neighbour-transform.js';

export { BLOCK_CODEC_VERSION, tableCrc32 } from './bar-block-format.js';
export { decodeBlock, decodeBlockInto, readBlockHeader, type BlockHeader } from './bar-block-decode.js';
export { decodeBlocksShared } from './series-decode.js';

// ---------------------------------------------------------------------------------------------
// Encoding

interface ColumnPlan {
  mode: number;
  param: number;
  length: number;
  /** DEC only: the scaled integers. */
  ints?: Float64Array;
  /** DEC only: the NaN values' indices (version 2, see dec-holes.ts). */
  holes?: number[];
  /** DEC with the NEIGHBOURS transform only: each bar's d (version 2, see neighbour-transform.ts). */
  deltas?: Float64Array;
  /** TIME only. */
  unit?: number;
  /** Version-2 modes (RATIO, TIME_RUNS): writes the payload. */
  write?: (w: Writer) => void;
}

/** Smallest k (0..6) such that every value (NaN aside when `skipNaN`) is m / 10^k (or fround of it), or -1. */
function decimalScale(x: Float64Array, f32: boolean, skipNaN = false): number {
  const n = x.length;
  outer: for (let k = 0; k <= MAX_K; k++) {
    const p = POW10[k]!;
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (skipNaN && v !== v) continue;
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

function planPriceColumn(x: Float64Array, close: ColumnPlan | undefined, v2: boolean, neighbourColumn?: number): ColumnPlan {
  const n = x.length;
  let best: ColumnPlan = { mode: MODE_F64, param: 0, length: n * 8 };
  const f32Exact = allFloat32(x);
  if (f32Exact) best = { mode: MODE_F32, param: 0, length: n * 4 };
  if (n === 0) return best;
  const holes: number[] = [];
  if (v2) for (let i = 0; i < n; i++) if (Number.isNaN(x[i]!)) holes.push(i);
  const skipNaN = holes.length > 0;
  let f32Origin = false;
  let k = decimalScale(x, false, skipNaN);
  if (k < 0 && f32Exact) {
    k = decimalScale(x, true, skipNaN);
    f32Origin = true;
  }
  if (k < 0) return best;
  const p = POW10[k]!;
  const ints = new Float64Array(n);
  // A hole holds the previous value's integer (the first value's before it): a one-byte delta.
  let filler = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isNaN(x[i]!)) {
      filler = Math.round(x[i]! * p);
      break;
    }
  }
  for (let i = 0; i < n; i++) ints[i] = Number.isNaN(x[i]!) ? filler : (filler = Math.round(x[i]! * p));
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
  let flags = 0;
  const nb = neighbourColumn !== undefined && closeInts !== undefined ? planNeighbours(ints, closeInts, neighbourColumn) : undefined;
  if (nb !== undefined && nb.length < length) {
    transform = T_NEIGHBOURS;
    length = nb.length;
    flags = nb.unsigned ? NEIGHBOURS_UNSIGNED : 0;
  }
  if (skipNaN) length += holesLength(holes);
  if (length >= best.length) return best;
  return {
    mode: MODE_DEC,
    param: k | (f32Origin ? 8 : 0) | (transform << 4) | (skipNaN ? DEC_HOLES : 0) | flags,
    length,
    ints,
    holes: skipNaN ? holes : undefined,
    deltas: transform === T_NEIGHBOURS ? nb!.deltas : undefined,
  };
}

/**
 * Sizes the NEIGHBOURS transform (neighbour-transform.ts) of open, high or low against the close
 * integers: plain varints when every d is non-negative, else zigzag.
 */
function planNeighbours(ints: Float64Array, closeInts: Float64Array, col: number): { length: number; unsigned: boolean; deltas: Float64Array } {
  const n = ints.length;
  const deltas = new Float64Array(n);
  let signed = 0;
  let plain = 0;
  let unsigned = true;
  for (let i = 0; i < n; i++) {
    const d = neighbourDelta(col, ints[i]!, closeInts, i);
    deltas[i] = d;
    signed += varintLength(zigzag(d));
    if (d < 0) unsigned = false;
    else plain += varintLength(d);
  }
  return unsigned ? { length: plain, unsigned, deltas } : { length: signed, unsigned, deltas };
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

function planTimeColumn(t: Float64Array, v2: boolean): ColumnPlan {
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
  const time: ColumnPlan = { mode: MODE_TIME, param: 0, length, unit };
  const runs = v2 ? planTimeRuns(t, unit) : undefined;
  return runs !== undefined && runs.length < time.length ? runs : time;
}

function writeColumn(w: Writer, x: Float64Array, plan: ColumnPlan, closeInts: Float64Array | undefined): void {
  const n = x.length;
  if (plan.write !== undefined) {
    plan.write(w);
    return;
  }
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
      const transform = (plan.param >> 4) & 3;
      let prev = 0;
      if (transform === T_NEIGHBOURS) {
        const deltas = plan.deltas!;
        const unsigned = (plan.param & NEIGHBOURS_UNSIGNED) !== 0;
        for (let i = 0; i < n; i++) w.varint(unsigned ? deltas[i]! : zigzag(deltas[i]!));
      }
      for (let i = 0; i < n && transform !== T_NEIGHBOURS; i++) {
        const m = ints[i]!;
        if (transform === T_RAW) w.varint(zigzag(m));
        else if (transform === T_DELTA) w.varint(zigzag(m - prev));
        else w.varint(zigzag(m - closeInts![i]!));
        prev = m;
      }
      if (plan.holes !== undefined) writeHoles(w, plan.holes);
      return;
    }
  }
}

export interface EncodeBlockOptions {
  /**
   * The newest format version the block may use. Default: BLOCK_CODEC_VERSION (a block that needs
   * no version-2 mode is still written as version 1). 1 writes what a version-1 reader can read.
   */
  maxVersion?: 1 | 2;
}

/** Encodes a slice of bars into a self-describing, checksummed block. Lossless for any values. */
export function encodeBlock(cols: BarColumns, options: EncodeBlockOptions = {}): Uint8Array {
  if (!(cols instanceof BarColumns)) throw new TypeError('encodeBlock: expected BarColumns');
  const v2 = (options.maxVersion ?? BLOCK_CODEC_VERSION) >= 2;
  const n = cols.length;
  const columns: Float64Array[] = [cols.time, cols.close, cols.open, cols.high, cols.low, cols.volume];
  if (cols.adjClose !== undefined) columns.push(cols.adjClose);
  const plans: ColumnPlan[] = [];
  plans.push(planTimeColumn(cols.time, v2));
  const closePlan = planPriceColumn(cols.close, undefined, v2);
  plans.push(closePlan);
  for (let c = 2; c < 6; c++) {
    plans.push(planPriceColumn(columns[c]!, c === 5 ? undefined : closePlan, v2, v2 && c < 5 ? c : undefined));
  }
  if (cols.adjClose !== undefined) {
    const dec = planPriceColumn(cols.adjClose, closePlan, v2);
    const ratio = v2 && n > 0 ? planRatioColumn(cols.adjClose, cols.close) : undefined;
    plans.push(ratio !== undefined && ratio.length < dec.length ? ratio : dec);
  }
  const version = plans.some((p) => p.mode === MODE_RATIO || p.mode === MODE_TIME_RUNS || p.holes !== undefined || p.deltas !== undefined)
    ? BLOCK_CODEC_VERSION
    : BLOCK_CODEC_V1;

  let size = HEADER_BYTES + CRC_BYTES;
  for (const p of plans) size += 2 + varintLength(p.length) + p.length;
  const w = new Writer(size);
  w.u8(MAGIC0);
  w.u8(MAGIC1);
  w.u8(MAGIC2);
  w.u8(MAGIC3);
  w.u8(version);
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

