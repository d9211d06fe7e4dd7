import { expect } from 'vitest';
import type { BarColumns } from '../src/bar-columns.js';
import { isBarcacheError } from '../src/errors.js';
import { Reader } from '../src/tiers/disk/bar-block-format.js';

export const COLUMN_KEYS = ['time', 'open', 'high', 'low', 'close', 'volume', 'adjClose'] as const;

/** Column-wise equality that distinguishes -0 and treats NaN as equal to NaN (Object.is). */
export function expectSameColumns(a: BarColumns, b: BarColumns): void {
  expect(b.length).toBe(a.length);
  expect(b.adjClose === undefined).toBe(a.adjClose === undefined);
  for (const key of COLUMN_KEYS) {
    const x = a[key];
    const y = b[key];
    if (x === undefined || y === undefined) continue;
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) expect.fail(`${key}[${i}]: ${x[i]} !== ${y[i]}`);
    }
  }
}

export function expectCorrupt(fn: () => unknown): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(isBarcacheError(err, 'CORRUPT_BLOCK'), String(err)).toBe(true);
}

export interface ColumnDescriptor {
  mode: number;
  param: number;
  length: number;
  /** Where the column's payload starts in the block. */
  start: number;
}

/** The column descriptors of an encoded block (time, close, open, high, low, volume[, adjClose]), read from its header. */
export function blockColumns(bytes: Uint8Array): ColumnDescriptor[] {
  const ncols = bytes[5]! & 1 ? 7 : 6;
  const r = new Reader(bytes, 10);
  const out: ColumnDescriptor[] = [];
  for (let c = 0; c < ncols; c++) {
    const mode = bytes[r.pos++]!;
    const param = bytes[r.pos++]!;
    out.push({ mode, param, length: r.varint(), start: 0 });
  }
  let at = r.pos;
  for (const d of out) {
    d.start = at;
    at += d.length;
  }
  return out;
}
