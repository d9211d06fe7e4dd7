/**
 * Holes in a decimal column (block format version 2): NaN values (a provider's null price or
 * volume) that would otherwise push the whole column out of the DEC mode into raw floats. With
 * param bit 6 (DEC_HOLES) set, the DEC payload's n values hold a filler at each hole (the previous
 * value's integer, so a delta costs one byte) and are followed by the hole list:
 *   varint count, then per hole: varint gap (bars since the previous hole, the first counted from -1).
 * The decoder writes NaN at each hole after decoding the values.
 */
import { varintLength, type Reader, type Writer } from './bar-block-format.js';

export const DEC_HOLES = 0x40;

/** Bytes of the hole list for these ascending hole indices. */
export function holesLength(holes: readonly number[]): number {
  let length = varintLength(holes.length);
  let prev = -1;
  for (const i of holes) {
    length += varintLength(i - prev - 1);
    prev = i;
  }
  return length;
}

export function writeHoles(w: Writer, holes: readonly number[]): void {
  w.varint(holes.length);
  let prev = -1;
  for (const i of holes) {
    w.varint(i - prev - 1);
    prev = i;
  }
}

/** Reads a hole list and writes NaN at each hole of `x`. Returns an error message for an inconsistent list. */
export function readHoles(r: Reader, x: Float64Array, n: number, end: number): string | undefined {
  const count = r.varint();
  if (count > n) return 'bad hole count';
  let i = -1;
  for (let k = 0; k < count; k++) {
    i += r.varint() + 1;
    if (i >= n || r.pos > end) return 'hole outside the block';
    x[i] = NaN;
  }
  return undefined;
}
