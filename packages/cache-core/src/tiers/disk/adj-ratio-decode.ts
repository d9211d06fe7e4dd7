/**
 * Decoding an adjClose column in the RATIO mode (layout in adj-ratio.ts): each run is one tight
 * loop of close × factor (rounded per the kind), then the exceptions are patched in.
 */
import { MAX_K, MAX_SCALED, POW10, unzigzag as unzig, type Reader } from './bar-block-format.js';
import {
  CODE_NAN,
  CODE_RAW,
  CODE_RESIDUAL,
  DEC_F32_ORIGIN,
  DENSE_EXCEPTIONS,
  FACTOR_F32,
  FACTOR_F64,
  FACTOR_ONE,
  KIND_DEC,
  KIND_F32,
  KIND_F64,
  float32Bits,
  float32OfBits,
} from './adj-ratio.js';


/**
 * Decodes `n` adjusted closes into `x` from the closes already decoded into `close`. Returns an
 * error message for an inconsistent payload (the caller throws CORRUPT_BLOCK), or undefined.
 * Reads from `r` at most to `end`; `dv` views the block's bytes.
 */
export function decodeRatioColumn(r: Reader, dv: DataView, x: Float64Array, close: Float64Array, n: number, param: number, end: number): string | undefined {
  const kind = param & 3;
  const k = param >> 4;
  const f32Origin = (param & DEC_F32_ORIGIN) !== 0;
  if (kind > KIND_DEC || k > MAX_K || (kind !== KIND_DEC && (k !== 0 || f32Origin))) return 'bad ratio parameters';
  const p = POW10[k]!;
  const runs = r.varint();
  if (runs > n + 1) return 'bad ratio run count';
  let at = 0;
  for (let run = 0; run < runs; run++) {
    const h = r.varint();
    const tag = h % 4;
    const len = (h - tag) / 4;
    if (len > n - at || r.pos > end) return 'ratio runs overrun the block';
    let f: number;
    if (tag === FACTOR_ONE) f = 1;
    else if (tag === FACTOR_F32) {
      if (r.pos + 4 > end) return 'ratio factor overruns the column';
      f = dv.getFloat32(r.pos, true);
      r.pos += 4;
    } else if (tag === FACTOR_F64) {
      if (r.pos + 8 > end) return 'ratio factor overruns the column';
      f = dv.getFloat64(r.pos, true);
      r.pos += 8;
    } else return 'bad ratio factor tag';
    const stop = at + len;
    if (kind === KIND_F32) for (let i = at; i < stop; i++) x[i] = Math.fround(close[i]! * f);
    else if (kind === KIND_F64) for (let i = at; i < stop; i++) x[i] = close[i]! * f;
    else if (f32Origin) for (let i = at; i < stop; i++) x[i] = Math.fround(Math.round(close[i]! * f * p) / p);
    else for (let i = at; i < stop; i++) x[i] = Math.round(close[i]! * f * p) / p;
    at = stop;
  }
  if (at !== n) return 'ratio runs do not cover the block';
  return (param & DENSE_EXCEPTIONS) !== 0 ? patchDense(r, dv, x, n, kind, p, f32Origin, end) : patchExceptions(r, dv, x, n, kind, p, f32Origin, end);
}

/** Dense exceptions: one code per bar. */
function patchDense(r: Reader, dv: DataView, x: Float64Array, n: number, kind: number, p: number, f32Origin: boolean, end: number): string | undefined {
  for (let i = 0; i < n; i++) {
    const code = r.varint();
    if (code === CODE_RESIDUAL) continue;
    if (r.pos > end) return 'ratio codes overrun the column';
    const message = patchOne(r, dv, x, i, code, kind, p, f32Origin, end);
    if (message !== undefined) return message;
  }
  return undefined;
}

/** Writes the exceptions over the rebuilt values. */
function patchExceptions(r: Reader, dv: DataView, x: Float64Array, n: number, kind: number, p: number, f32Origin: boolean, end: number): string | undefined {
  const count = r.varint();
  if (count > n) return 'bad ratio exception count';
  let index = -1;
  for (let e = 0; e < count; e++) {
    index += r.varint() + 1;
    const code = r.varint();
    if (index >= n || r.pos > end) return 'ratio exception outside the block';
    const message = patchOne(r, dv, x, index, code, kind, p, f32Origin, end);
    if (message !== undefined) return message;
  }
  return undefined;
}

/** Patches bar `i` per its exception code (not CODE_RESIDUAL with a zero residual in dense form: that is skipped). */
function patchOne(r: Reader, dv: DataView, x: Float64Array, i: number, code: number, kind: number, p: number, f32Origin: boolean, end: number): string | undefined {
  if (code === CODE_NAN) x[i] = NaN;
  else if (code === CODE_RAW) {
    if (r.pos + 8 > end) return 'ratio exception overruns the column';
    x[i] = dv.getFloat64(r.pos, true);
    r.pos += 8;
  } else {
    const rebuilt = x[i]!;
    if (!Number.isFinite(rebuilt) || kind === KIND_F64) return 'ratio residual on a value that has none';
    const d = unzig(code - 2);
    if (kind === KIND_F32) {
      const bits = float32Bits(rebuilt) + d;
      if (!(bits >= 0 && bits < 2 ** 32)) return 'ratio residual out of range';
      x[i] = float32OfBits(bits);
    } else {
      // The residual counts from the rebuilt value's decimal integer.
      const m = Math.round(rebuilt * p);
      if (!(Math.abs(m + d) <= MAX_SCALED)) return 'ratio residual out of range';
      const v = (m + d) / p;
      x[i] = f32Origin ? Math.fround(v) : v;
    }
  }
  return undefined;
}
