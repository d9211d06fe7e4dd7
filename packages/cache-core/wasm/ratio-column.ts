// AssemblyScript: an adjusted-close column in the RATIO mode (src/tiers/disk/adj-ratio-decode.ts,
// layout in adj-ratio.ts): runs of one factor times the close, then the exceptions patched in.
import { BAIL, MAX_K, MAX_SCALED, OK, Reader, f64At, fround, jsRound, pow10, setF64, unzigzag, varint } from './reader';

const KIND_F64: i32 = 0;
const KIND_F32: i32 = 1;
const KIND_DEC: i32 = 2;
const DEC_F32_ORIGIN: i32 = 4;
const DENSE_EXCEPTIONS: i32 = 8;
const FACTOR_F64: i32 = 0;
const FACTOR_F32: i32 = 1;
const FACTOR_ONE: i32 = 2;
const CODE_NAN: f64 = 0;
const CODE_RAW: f64 = 1;
const CODE_RESIDUAL: f64 = 2;

/** decodeRatioColumn with its exceptions (dense or listed). */
export function decodeRatio(x: usize, close: usize, n: i32, param: i32, end: i32): i32 {
  const kind = param & 3;
  const k = param >> 4;
  const f32Origin = (param & DEC_F32_ORIGIN) != 0;
  if (kind > KIND_DEC || k > MAX_K || (kind != KIND_DEC && (k != 0 || f32Origin))) return BAIL;
  const p = pow10(k);
  const runs = varint();
  if (runs > <f64>(n + 1)) return BAIL;
  let at: i32 = 0;
  for (let run: f64 = 0; run < runs; run++) {
    const h = varint();
    const tag = <i32>(h % 4.0);
    const len = (h - <f64>tag) / 4.0;
    if (len > <f64>(n - at) || Reader.pos > end) return BAIL;
    let f: f64;
    if (tag == FACTOR_ONE) f = 1.0;
    else if (tag == FACTOR_F32) {
      if (Reader.pos + 4 > end) return BAIL;
      const v = load<f32>(Reader.base + <usize>Reader.pos);
      if (isNaN(v)) return BAIL; // NaN bits may differ between the two engines' conversions
      f = <f64>v;
      Reader.pos += 4;
    } else if (tag == FACTOR_F64) {
      if (Reader.pos + 8 > end) return BAIL;
      f = load<f64>(Reader.base + <usize>Reader.pos);
      if (isNaN(f)) return BAIL;
      Reader.pos += 8;
    } else return BAIL;
    const stop = at + <i32>len;
    if (kind == KIND_F32) for (let i = at; i < stop; i++) setF64(x, i, fround(f64At(close, i) * f));
    else if (kind == KIND_F64) for (let i = at; i < stop; i++) setF64(x, i, f64At(close, i) * f);
    else if (f32Origin) for (let i = at; i < stop; i++) setF64(x, i, fround(jsRound(f64At(close, i) * f * p) / p));
    else for (let i = at; i < stop; i++) setF64(x, i, jsRound(f64At(close, i) * f * p) / p);
    at = stop;
  }
  if (at != n) return BAIL;
  if ((param & DENSE_EXCEPTIONS) != 0) {
    for (let i = 0; i < n; i++) {
      const code = varint();
      if (code == CODE_RESIDUAL) continue;
      if (Reader.pos > end) return BAIL;
      if (patchOne(x, i, code, kind, p, f32Origin, end) != OK) return BAIL;
    }
    return OK;
  }
  const count = varint();
  if (count > <f64>n) return BAIL;
  let index: f64 = -1.0;
  for (let e: f64 = 0; e < count; e++) {
    index += varint() + 1.0;
    const code = varint();
    if (index >= <f64>n || Reader.pos > end) return BAIL;
    if (patchOne(x, <i32>index, code, kind, p, f32Origin, end) != OK) return BAIL;
  }
  return OK;
}

function patchOne(x: usize, i: i32, code: f64, kind: i32, p: f64, f32Origin: bool, end: i32): i32 {
  if (code == CODE_NAN) setF64(x, i, NaN);
  else if (code == CODE_RAW) {
    if (Reader.pos + 8 > end) return BAIL;
    const v = load<f64>(Reader.base + <usize>Reader.pos);
    if (isNaN(v)) return BAIL;
    setF64(x, i, v);
    Reader.pos += 8;
  } else {
    const rebuilt = f64At(x, i);
    if (!isFinite(rebuilt) || kind == KIND_F64) return BAIL;
    const d = unzigzag(code - 2.0);
    if (kind == KIND_F32) {
      const bits = <f64>reinterpret<u32>(<f32>rebuilt) + d;
      if (!(bits >= 0 && bits < 4294967296.0)) return BAIL;
      const v = reinterpret<f32>(<u32>bits);
      if (isNaN(v)) return BAIL;
      setF64(x, i, <f64>v);
    } else {
      const m = jsRound(rebuilt * p);
      if (!(Math.abs(m + d) <= MAX_SCALED)) return BAIL;
      const v = (m + d) / p;
      setF64(x, i, f32Origin ? fround(v) : v);
    }
  }
  return OK;
}

