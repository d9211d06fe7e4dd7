/**
 * The NEIGHBOURS transform of a decimal column (block format version 2, DEC transform 3), for
 * open, high and low: each value's integer m is stored relative to what the bar's other prices
 * predict, which is much closer than the bar's close is:
 *   open: d = m − [previous bar's close] (the first bar, or after a NaN close: its own close) —
 *         the overnight gap;
 *   high: d = m − max([open], [close]) — never negative in OHLC data;
 *   low:  d = min([open], [close]) − m — never negative either;
 * where [v] = Math.round(v × 10^k) of the bar's *decoded* open and close values, so encoder and
 * decoder compute the same envelope whatever modes open and close use. With param bit 7
 * (`NEIGHBOURS_UNSIGNED`, when every d of the column is ≥ 0) the d are plain varints, otherwise
 * zigzag varints. Bars that are holes (DEC_HOLES) store d = 0 and are NaN after decoding.
 */
import { MAX_SCALED, Reader, unzigzag } from './bar-block-format.js';

export const T_NEIGHBOURS = 3;
export const NEIGHBOURS_UNSIGNED = 0x80;

export const COL_OPEN = 2;
export const COL_HIGH = 3;
export const COL_LOW = 4;

/**
 * The envelope E of column `col` (open, high or low) at scale `p`, into `out`, computed from the
 * decoded open and close values. NaN where an input is NaN; never -0 (`+ 0`), so m = E ± 0 is +0
 * as the column's own integers are.
 */
export function neighbourEnvelope(col: number, open: Float64Array, close: Float64Array, p: number, n: number, out: Float64Array): void {
  if (n === 0) return;
  if (col === COL_OPEN) {
    out[0] = Math.round(close[0]! * p) + 0;
    for (let i = 1; i < n; i++) {
      const prev = close[i - 1]!;
      out[i] = Math.round((prev === prev ? prev : close[i]!) * p) + 0;
    }
  } else if (col === COL_HIGH) {
    for (let i = 0; i < n; i++) out[i] = Math.max(Math.round(open[i]! * p), Math.round(close[i]! * p)) + 0;
  } else {
    for (let i = 0; i < n; i++) out[i] = Math.min(Math.round(open[i]! * p), Math.round(close[i]! * p)) + 0;
  }
}

/** d for value integer m against envelope e (the sign per column as above). */
export function neighbourDelta(col: number, m: number, e: number): number {
  return col === COL_LOW ? e - m : m - e;
}

let scratch = new Float64Array(1024);

/**
 * Decodes a NEIGHBOURS column of `n` values into `x` (value = m / p, float32'd when `f32`).
 * `open` and `close` hold the block's decoded opens and closes. Returns an error message for an
 * inconsistent column, or undefined.
 */
export function decodeNeighbours(
  r: Reader,
  x: Float64Array,
  n: number,
  p: number,
  f32: boolean,
  col: number,
  unsigned: boolean,
  open: Float64Array,
  close: Float64Array,
): string | undefined {
  if (col !== COL_OPEN && col !== COL_HIGH && col !== COL_LOW) return 'neighbour transform on a column other than open, high or low';
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  const e = scratch;
  neighbourEnvelope(col, open, close, p, n, e);
  const sign = col === COL_LOW ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const z = r.varint();
    const d = unsigned ? z : unzigzag(z);
    const m = e[i]! + sign * d;
    if (Math.abs(m) > MAX_SCALED) return 'neighbour value out of range';
    x[i] = f32 ? Math.fround(m / p) : m / p;
  }
  return undefined;
}
