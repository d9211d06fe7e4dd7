/**
 * The NEIGHBOURS transform of a decimal column (block format version 2, DEC transform 3), for
 * open, high and low: each value's integer m is stored relative to the close integers cm of the
 * same block (close must be DEC at the same scale, as for T_REL_CLOSE), in the direction that
 * makes OHLC data small and non-negative:
 *   open: d = m − cm[i − 1] (the first bar: m − cm[0]) — the overnight gap, not the day's move;
 *   high: d = m − cm[i]     — never negative in OHLC data;
 *   low:  d = cm[i] − m     — never negative either.
 * With param bit 7 (`NEIGHBOURS_UNSIGNED`, when every d of the column is ≥ 0) the d are plain
 * varints, saving the zigzag's sign bit; otherwise zigzag varints. Holes (DEC_HOLES) hold fillers
 * like any decimal column. Decoding is one pass over the varints and one over the values.
 */
import { MAX_SCALED, type Reader, readVarints, unzigzag } from './bar-block-format.js';

export const T_NEIGHBOURS = 3;
export const NEIGHBOURS_UNSIGNED = 0x80;

export const COL_OPEN = 2;
export const COL_HIGH = 3;
export const COL_LOW = 4;

/** d of bar i with integer m, against the close integers `cm` (the sign per column as above). */
export function neighbourDelta(col: number, m: number, cm: Float64Array, i: number): number {
  if (col === COL_OPEN) return m - cm[i === 0 ? 0 : i - 1]!;
  return col === COL_LOW ? cm[i]! - m : m - cm[i]!;
}

let scratch = new Float64Array(1024);

/**
 * Decodes a NEIGHBOURS column of `n` values into `x` (value = m / p, float32'd when `f32`) from the
 * block's close integers `cm`. Returns an error message for an inconsistent column, or undefined.
 */
export function decodeNeighbours(r: Reader, x: Float64Array, n: number, p: number, f32: boolean, col: number, unsigned: boolean, cm: Float64Array): string | undefined {
  if (col !== COL_OPEN && col !== COL_HIGH && col !== COL_LOW) return 'neighbour transform on a column other than open, high or low';
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  const m = scratch;
  readVarints(r, m, n, unsigned);
  if (n === 0) return undefined;
  if (col === COL_OPEN) {
    for (let i = n - 1; i > 0; i--) m[i] = m[i]! + cm[i - 1]!;
    m[0] = m[0]! + cm[0]!;
  } else if (col === COL_HIGH) {
    for (let i = 0; i < n; i++) m[i] = cm[i]! + m[i]!;
  } else {
    for (let i = 0; i < n; i++) m[i] = cm[i]! - m[i]!;
  }
  let worst = 0;
  if (f32) {
    for (let i = 0; i < n; i++) {
      const v = m[i]!;
      worst = Math.max(worst, Math.abs(v));
      x[i] = Math.fround(v / p);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = m[i]!;
      worst = Math.max(worst, Math.abs(v));
      x[i] = v / p;
    }
  }
  return worst > MAX_SCALED ? 'neighbour value out of range' : undefined;
}
