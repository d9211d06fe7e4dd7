/**
 * Views over BarColumns without copying: the lazily made window `peekColumns` hands out, and the
 * check that lets `BarColumns.concat` join adjacent views of one allocation as one view.
 */
import type { BarColumns, BarColumnsInit } from './bar-columns.js';

/**
 * Bars [from, to) of a BarColumns as typed-array views, each column's `subarray` made on first
 * access: a window whose reader touches only `close` costs one view, not seven. No copy.
 */
export class ColumnSlice {
  readonly length: number;
  #time: Float64Array | undefined;
  #open: Float64Array | undefined;
  #high: Float64Array | undefined;
  #low: Float64Array | undefined;
  #close: Float64Array | undefined;
  #volume: Float64Array | undefined;
  #adjClose: Float64Array | undefined;

  constructor(
    private readonly source: BarColumns,
    private readonly from: number,
    to: number,
  ) {
    this.length = to - from;
  }

  get time(): Float64Array {
    return (this.#time ??= this.source.time.subarray(this.from, this.from + this.length));
  }
  get open(): Float64Array {
    return (this.#open ??= this.source.open.subarray(this.from, this.from + this.length));
  }
  get high(): Float64Array {
    return (this.#high ??= this.source.high.subarray(this.from, this.from + this.length));
  }
  get low(): Float64Array {
    return (this.#low ??= this.source.low.subarray(this.from, this.from + this.length));
  }
  get close(): Float64Array {
    return (this.#close ??= this.source.close.subarray(this.from, this.from + this.length));
  }
  get volume(): Float64Array {
    return (this.#volume ??= this.source.volume.subarray(this.from, this.from + this.length));
  }
  get adjClose(): Float64Array | undefined {
    const a = this.source.adjClose;
    return a === undefined ? undefined : (this.#adjClose ??= a.subarray(this.from, this.from + this.length));
  }
}

const COLUMN_KEYS = ['time', 'open', 'high', 'low', 'close', 'volume', 'adjClose'] as const;

/**
 * When every part's columns lie back to back in one buffer (part k + 1 starting where part k ends,
 * in every column) and the parts are in time order, the columns of the one view that covers them
 * all; else undefined.
 */
export function adjacentSpan(parts: readonly BarColumns[]): BarColumnsInit | undefined {
  const first = parts[0]!;
  const hasAdj = first.adjClose !== undefined;
  let n = first.length;
  for (let k = 1; k < parts.length; k++) {
    const prev = parts[k - 1]!;
    const p = parts[k]!;
    if ((p.adjClose !== undefined) !== hasAdj || !(p.time[0]! > prev.time[prev.length - 1]!)) return undefined;
    for (const key of COLUMN_KEYS) {
      const a = prev[key];
      const b = p[key];
      if (a === undefined || b === undefined) continue;
      if (a.buffer !== b.buffer || a.byteOffset + a.byteLength !== b.byteOffset) return undefined;
    }
    n += p.length;
  }
  const span = (x: Float64Array) => new Float64Array(x.buffer, x.byteOffset, n);
  return {
    time: span(first.time),
    open: span(first.open),
    high: span(first.high),
    low: span(first.low),
    close: span(first.close),
    volume: span(first.volume),
    adjClose: hasAdj ? span(first.adjClose!) : undefined,
  };
}

