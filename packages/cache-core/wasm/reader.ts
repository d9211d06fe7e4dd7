// AssemblyScript: the byte-level reading the block decoder's columns share (block-decoder.ts):
// the reader's position, varints and zigzag exactly as src/tiers/disk/bar-block-format.ts reads
// them, and the few float helpers whose results must match JavaScript's bit for bit.

export const OK: i32 = 0;
export const BAIL: i32 = 1;
export const MAX_K: i32 = 6;
export const MAX_SCALED: f64 = 2251799813685247.0; // 2^51 - 1

/** The reader: the block's bytes start at `base`; `pos` counts from there, as the reference's does. */
export class Reader {
  static base: usize = 0;
  static pos: i32 = 0;
}

@inline export function byteAt(p: i32): i32 {
  return <i32>load<u8>(Reader.base + <usize>p);
}

/** Reader.varint: four bytes with integer arithmetic, then up to five more as doubles. */
export function varint(): f64 {
  let b = byteAt(Reader.pos++);
  let v = b & 0x7f;
  if (b < 0x80) return <f64>v;
  b = byteAt(Reader.pos++);
  v |= (b & 0x7f) << 7;
  if (b < 0x80) return <f64>v;
  b = byteAt(Reader.pos++);
  v |= (b & 0x7f) << 14;
  if (b < 0x80) return <f64>v;
  b = byteAt(Reader.pos++);
  v |= (b & 0x7f) << 21;
  if (b < 0x80) return <f64>v;
  let big = <f64>v;
  let mul: f64 = 268435456.0; // 0x10000000
  for (let i = 0; i < 5; i++) {
    b = byteAt(Reader.pos++);
    big += <f64>(b & 0x7f) * mul;
    if (!(b >= 0x80)) return big;
    mul *= 128.0;
  }
  return big;
}

/** unzigzag: `z & 1` of the reference is ToInt32(z) & 1, the integer's low bit (doubles ≥ 2^53 are even). */
export function unzigzag(z: f64): f64 {
  const odd = z < 9007199254740992.0 ? (<i64>z & 1) != 0 : false;
  return odd ? -(z + 1.0) / 2.0 : z / 2.0;
}

/**
 * readVarints: n varints into out (zigzag-decoded unless unsigned). A varint of up to four bytes
 * (every value below 2^28) is read without a branch per byte: the four bytes at the position as
 * one little-endian word, its first clear high bit ends the varint, and the four 7-bit groups are
 * gathered with shifts. Reading up to three bytes past the varint is safe (the caller pads a
 * block with zeros) and changes nothing: only the varint's own bytes are kept. Longer varints go
 * through `varint`, as the reference reads them.
 */
export function readVarints(out: usize, n: i32, unsigned: bool): void {
  const base = Reader.base;
  let p = Reader.pos;
  for (let i = 0; i < n; i++) {
    const word = load<u32>(base + <usize>p);
    const stops = ~word & 0x80808080;
    if (stops == 0) {
      Reader.pos = p;
      const big = varint();
      p = Reader.pos;
      store<f64>(out + (<usize>i << 3), unsigned ? big : unzigzag(big));
      continue;
    }
    const bits = ctz<u32>(stops) + 1; // 8, 16, 24 or 32: the varint's length in bits
    p += <i32>(bits >> 3);
    const v = <u32>(<u64>word & ((<u64>1 << <u64>bits) - 1));
    const z = <i32>((v & 0x7f) | ((v >> 1) & 0x3f80) | ((v >> 2) & 0x1fc000) | ((v >> 3) & 0xfe00000));
    store<f64>(out + (<usize>i << 3), unsigned ? <f64>z : <f64>((z >>> 1) ^ -(z & 1)));
  }
  Reader.pos = p;
}

@inline export function f64At(a: usize, i: i32): f64 {
  return load<f64>(a + (<usize>i << 3));
}

@inline export function setF64(a: usize, i: i32, v: f64): void {
  store<f64>(a + (<usize>i << 3), v);
}

@inline export function fround(v: f64): f64 {
  return <f64><f32>v;
}

/** JavaScript's Math.round: halves go up (towards +∞), -0 stays -0. */
@inline export function jsRound(x: f64): f64 {
  const up = Math.ceil(x);
  return up - 0.5 > x ? up - 1.0 : up;
}

@inline export function pow10(k: i32): f64 {
  let p: f64 = 1.0;
  for (let i = 0; i < k; i++) p *= 10.0;
  return p;
}

