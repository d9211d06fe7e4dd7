// AssemblyScript: the bar block decoder's columns, compiled to WebAssembly by wasm/build.mjs.
//
// The same decoding as src/tiers/disk/bar-block-decode.ts (the reference, which also checks the
// framing and the checksum first), value for value and bit for bit, for blocks that decode; any
// inconsistency, and the few cases where WebAssembly's NaN bits could differ from JavaScript's,
// answer BAIL instead, and the caller decodes that block in JavaScript (which then throws the
// precise CORRUPT_BLOCK). Why it exists: a warm load decodes millions of values once, in a fresh
// process, where JavaScript spends most of that time unoptimised or being optimised; WebAssembly
// runs at full speed from the first block (see docs/benchmark.md).
//
// Memory is the caller's: the block's bytes at `input` (zero-padded past its end), the decoded
// columns at `out`, and two scratch areas of n f64 each. The columns are laid out as BarColumns
// lays out a series (time, open, high, low, close, volume, adjClose: `slotOf`), each slot `stride`
// values apart: a stride of n packs one block; a series' bar count lets the blocks of a series
// decode side by side into the series' own layout, copied out in one piece. The byte reading is
// in reader.ts, the adjusted-close column's RATIO mode in ratio-column.ts.

import { BAIL, MAX_K, MAX_SCALED, OK, Reader, byteAt, f64At, fround, pow10, readVarints, setF64, unzigzag, varint } from './reader';
import { decodeRatio } from './ratio-column';

const MODE_F64: i32 = 0;
const MODE_F32: i32 = 1;
const MODE_DEC: i32 = 2;
const MODE_TIME: i32 = 3;
const MODE_RATIO: i32 = 4;
const MODE_TIME_RUNS: i32 = 5;
const T_DELTA: i32 = 1;
const T_REL_CLOSE: i32 = 2;
const T_NEIGHBOURS: i32 = 3;
const NEIGHBOURS_UNSIGNED: i32 = 0x80;
const DEC_HOLES: i32 = 0x40;
const COL_TIME: i32 = 0;
const COL_CLOSE: i32 = 1;
const COL_OPEN: i32 = 2;
const COL_HIGH: i32 = 3;
const COL_LOW: i32 = 4;
const COL_ADJ_CLOSE: i32 = 6;
const HEADER_BYTES: i32 = 10;
const TIME_RUNS_WEEKDAYS: i32 = 1;
const DAY_MS: f64 = 86400000.0;

/** Where block column c (time, close, open, high, low, volume, adjClose) goes in the output. */
@inline function slotOf(c: i32): i32 {
  return c == COL_CLOSE ? 4 : c >= COL_OPEN && c <= COL_LOW ? c - 1 : c;
}

/** readHoles: NaN at each listed bar. */
function readHoles(x: usize, n: i32, end: i32): i32 {
  const count = varint();
  if (count > <f64>n) return BAIL;
  let i: f64 = -1.0;
  for (let k: f64 = 0; k < count; k++) {
    i += varint() + 1.0;
    if (i >= <f64>n || Reader.pos > end) return BAIL;
    setF64(x, <i32>i, NaN);
  }
  return OK;
}

/** decodeTimeRuns. */
function decodeTimeRuns(x: usize, n: i32, param: i32, end: i32): i32 {
  if ((param & ~TIME_RUNS_WEEKDAYS) != 0) return BAIL;
  if (n == 0) return OK;
  const weekdays = (param & TIME_RUNS_WEEKDAYS) != 0;
  const unit = varint();
  const first = unzigzag(varint());
  const runs = varint();
  if (Reader.pos > end || runs > <f64>n) return BAIL;
  if (weekdays && unit != DAY_MS) return BAIL;
  setF64(x, 0, first);
  let i: i32 = 1;
  if (!weekdays) {
    let t = first;
    for (let k: f64 = 0; k < runs; k++) {
      const step = unzigzag(varint()) * unit;
      const repeats = varint();
      if (Reader.pos > end || repeats > <f64>(n - i)) return BAIL;
      const stop = i + <i32>repeats;
      while (i < stop) {
        t += step;
        setF64(x, i++, t);
      }
    }
  } else {
    const d0 = Math.floor(first / DAY_MS);
    const tod = first - d0 * DAY_MS;
    // weekdayNumber(d0) = floor((d0 + 3) / 7) * 5 + weekday(d0)
    let b = Math.floor((d0 + 3.0) / 7.0) * 5.0 + weekday(d0);
    for (let k: f64 = 0; k < runs; k++) {
      const step = unzigzag(varint());
      const repeats = varint();
      if (Reader.pos > end || repeats > <f64>(n - i)) return BAIL;
      const stop = i + <i32>repeats;
      while (i < stop) {
        b += step;
        const w = Math.floor(b / 5.0);
        setF64(x, i++, (w * 7.0 + (b - w * 5.0) - 3.0) * DAY_MS + tod);
      }
    }
  }
  return i != n ? BAIL : OK;
}

/** weekday(d) = (((d + 3) % 7) + 7) % 7, with JavaScript's % on doubles (fmod). */
@inline function weekday(d: f64): f64 {
  const a = (d + 3.0) % 7.0;
  return (a + 7.0) % 7.0;
}

/** decodeDecimal: the integers into m (transformed), the scaled values into x. */
function decodeDecimal(x: usize, m: usize, n: i32, p: f64, f32: bool, transform: i32, rel: usize): void {
  readVarints(m, n, false);
  if (transform == T_DELTA) {
    let acc: f64 = 0;
    for (let i = 0; i < n; i++) {
      acc += f64At(m, i);
      setF64(m, i, acc);
    }
  } else if (transform == T_REL_CLOSE) {
    for (let i = 0; i < n; i++) setF64(m, i, f64At(m, i) + f64At(rel, i));
  }
  if (f32) for (let i = 0; i < n; i++) setF64(x, i, fround(f64At(m, i) / p));
  else for (let i = 0; i < n; i++) setF64(x, i, f64At(m, i) / p);
}

/** decodeNeighbours. */
function decodeNeighbours(x: usize, m: usize, n: i32, p: f64, f32: bool, col: i32, unsigned: bool, cm: usize): i32 {
  if (col != COL_OPEN && col != COL_HIGH && col != COL_LOW) return BAIL;
  readVarints(m, n, unsigned);
  if (n == 0) return OK;
  if (col == COL_OPEN) {
    for (let i = n - 1; i > 0; i--) setF64(m, i, f64At(m, i) + f64At(cm, i - 1));
    setF64(m, 0, f64At(m, 0) + f64At(cm, 0));
  } else if (col == COL_HIGH) {
    for (let i = 0; i < n; i++) setF64(m, i, f64At(cm, i) + f64At(m, i));
  } else {
    for (let i = 0; i < n; i++) setF64(m, i, f64At(cm, i) - f64At(m, i));
  }
  let worst: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = f64At(m, i);
    worst = Math.max(worst, Math.abs(v));
    setF64(x, i, f32 ? fround(v / p) : v / p);
  }
  return worst > MAX_SCALED ? BAIL : OK;
}

/**
 * Decodes the columns of a block whose framing and checksum the caller has checked: `len` bytes at
 * `input`, `n` bars, `ncols` columns (7 with adjClose), the payload ending at `body`. Returns OK
 * with every column at `out` (column c at out + slotOf(c)·stride·8, stride ≥ n), or BAIL.
 */
export function decodeColumns(input: usize, len: i32, n: i32, ncols: i32, version: i32, out: usize, stride: i32, closeScratch: usize, scratch: usize): i32 {
  if (stride < n) return BAIL;
  Reader.base = input;
  const body = len - 4;
  Reader.pos = HEADER_BYTES;
  // The descriptors: mode, param, varint length per column (at most 7).
  let modes: u64 = 0;
  let params: u64 = 0;
  const lengths = memory.data(8 * 7);
  for (let c = 0; c < ncols; c++) {
    modes |= <u64>byteAt(Reader.pos++) << (<u64>c * 8);
    params |= <u64>byteAt(Reader.pos++) << (<u64>c * 8);
    store<f64>(lengths + (<usize>c << 3), varint());
  }
  if (Reader.pos > body) return BAIL;
  if (version == 1) {
    for (let c = 0; c < ncols; c++) {
      const mode = <i32>((modes >> (<u64>c * 8)) & 0xff);
      const param = <i32>((params >> (<u64>c * 8)) & 0xff);
      const v2Dec = mode == MODE_DEC && ((param & (DEC_HOLES | NEIGHBOURS_UNSIGNED)) != 0 || param >> 4 == T_NEIGHBOURS);
      if (mode > MODE_TIME || v2Dec) return BAIL;
    }
  }
  const closeMode = <i32>((modes >> 8) & 0xff);
  const closeParam = <i32>((params >> 8) & 0xff);
  let haveCloseInts = false;
  for (let c = 0; c < ncols; c++) {
    const mode = <i32>((modes >> (<u64>c * 8)) & 0xff);
    const param = <i32>((params >> (<u64>c * 8)) & 0xff);
    const length = load<f64>(lengths + (<usize>c << 3));
    const start = Reader.pos;
    const endF = <f64>start + length;
    if (endF > <f64>body) return BAIL;
    const end = <i32>endF;
    const x = out + <usize>slotOf(c) * <usize>stride * 8;
    if (mode == MODE_F64) {
      if (length != <f64>n * 8.0) return BAIL;
      for (let i = 0; i < n; i++) {
        const v = load<f64>(Reader.base + <usize>(start + i * 8));
        if (isNaN(v)) return BAIL;
        setF64(x, i, v);
      }
      Reader.pos = end;
    } else if (mode == MODE_F32) {
      if (length != <f64>n * 4.0) return BAIL;
      for (let i = 0; i < n; i++) {
        const v = load<f32>(Reader.base + <usize>(start + i * 4));
        if (isNaN(v)) return BAIL;
        setF64(x, i, <f64>v);
      }
      Reader.pos = end;
    } else if (mode == MODE_TIME) {
      if (c != COL_TIME) return BAIL;
      if (n > 0) {
        const unit = varint();
        let t = unzigzag(varint());
        setF64(x, 0, t);
        if (n > 1) {
          readVarints(scratch, n - 1, false);
          for (let i = 1; i < n; i++) {
            t += f64At(scratch, i - 1) * unit;
            setF64(x, i, t);
          }
        }
      }
    } else if (mode == MODE_DEC) {
      const k = param & 7;
      const f32 = (param & 8) != 0;
      const transform = (param >> 4) & 3;
      if (k > MAX_K || ((param & NEIGHBOURS_UNSIGNED) != 0 && transform != T_NEIGHBOURS) || c == COL_TIME) return BAIL;
      const p = pow10(k);
      const sameScaleClose = haveCloseInts && (closeParam & 7) == k && closeMode == MODE_DEC;
      if (transform == T_NEIGHBOURS) {
        if (!sameScaleClose) return BAIL;
        if (decodeNeighbours(x, scratch, n, p, f32, c, (param & NEIGHBOURS_UNSIGNED) != 0, closeScratch) != OK) return BAIL;
      } else {
        if (transform == T_REL_CLOSE && !sameScaleClose) return BAIL;
        const m = c == COL_CLOSE ? closeScratch : scratch;
        decodeDecimal(x, m, n, p, f32, transform, closeScratch);
        if (c == COL_CLOSE) haveCloseInts = true;
      }
      if ((param & DEC_HOLES) != 0 && readHoles(x, n, end) != OK) return BAIL;
    } else if (mode == MODE_TIME_RUNS) {
      if (c != COL_TIME) return BAIL;
      if (decodeTimeRuns(x, n, param, end) != OK) return BAIL;
    } else if (mode == MODE_RATIO) {
      if (c != COL_ADJ_CLOSE) return BAIL;
      if (decodeRatio(x, out + <usize>slotOf(COL_CLOSE) * <usize>stride * 8, n, param, end) != OK) return BAIL;
    } else return BAIL;
    if (Reader.pos != end) return BAIL;
  }
  return Reader.pos != body ? BAIL : OK;
}

export { crc32 } from './crc32';
export { planSeries, stageSeries } from './series-stage';
