/**
 * The RATIO column mode (block format version 2) for adjClose, shared by its encoder
 * (adj-ratio-plan.ts) and decoder (adj-ratio-decode.ts).
 *
 * An adjusted close is, over long runs, close × a factor that changes only at dividends and splits,
 * rounded to what the source stores (float32 for Yahoo's chart JSON, 6 decimals for its CSV, a
 * double for a program). RATIO stores the runs of one factor and the bars the reconstruction does
 * not reproduce bit for bit as exceptions, so it is lossless for any input.
 *
 * param: bits 0-1 = how a bar is rebuilt from its close c and its run's factor f:
 *   0 `F64`: c * f;  1 `F32`: Math.fround(c * f);
 *   2 `DEC`: Math.round(c * f * 10^k) / 10^k (then Math.fround when bit 2, float32-origin, is set);
 *   bit 3 = dense exceptions (below); bits 4-6 = k (DEC only).
 * Payload:
 *   varint run count; per run: varint (length << 2 | factor tag), then the factor:
 *     tag 0 = float64 (8 bytes), 1 = float32 (4 bytes), 2 = exactly 1 (no bytes);
 *   the lengths add up to the block's bar count;
 *   varint exception count; per exception, in bar order: varint gap (bars skipped since the previous
 *   exception), varint code: 0 = NaN, 1 = a float64 follows (8 bytes), c >= 2 = the rebuilt value
 *   corrected by the residual unzigzag(c − 2): in float32 bit patterns (F32) or in units of 10^-k
 *   (DEC); the rebuilt value must then be finite. F64 has no residuals.
 *   Dense (param bit 3, for sources whose rounding leaves most bars a unit or two off, such as a
 *   factor applied one dividend at a time in float32): instead of the exception list, one varint
 *   code per bar, where code 2 (residual 0) keeps the rebuilt value.
 */
export const KIND_F64 = 0;
export const KIND_F32 = 1;
export const KIND_DEC = 2;
export const DEC_F32_ORIGIN = 4;
export const DENSE_EXCEPTIONS = 8;

export const FACTOR_F64 = 0;
export const FACTOR_F32 = 1;
export const FACTOR_ONE = 2;

export const CODE_NAN = 0;
export const CODE_RAW = 1;
export const CODE_RESIDUAL = 2;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 bit pattern of a value that is exactly a float32 (non-NaN). */
export function float32Bits(v: number): number {
  f32[0] = v;
  return u32[0]!;
}

/** The float32 with bit pattern `bits` (0 <= bits < 2^32). */
export function float32OfBits(bits: number): number {
  u32[0] = bits;
  return f32[0]!;
}

/**
 * The value bar rebuilds from close `c` and factor `f`: the one formula the encoder and the decoder
 * share (the decoder's loops inline the same expressions).
 */
export function rebuild(kind: number, c: number, f: number, p: number, f32Origin: boolean): number {
  if (kind === KIND_F64) return c * f;
  if (kind === KIND_F32) return Math.fround(c * f);
  const v = Math.round(c * f * p) / p;
  return f32Origin ? Math.fround(v) : v;
}
