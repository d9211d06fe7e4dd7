import type { Bar, ColumnWindow } from '@barcache/cache-core';

/** One row of the DataFrame grademark's `backtest()` takes (its `IBar`). */
export interface GrademarkBar {
  time: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A cache bar as a grademark row (epoch ms → Date; adjClose is not part of grademark's bar). Pure. */
export function toGrademarkRow(bar: Bar): GrademarkBar {
  return { time: new Date(bar.time), open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume };
}

export function toGrademarkRows(bars: readonly Bar[]): GrademarkBar[] {
  return bars.map(toGrademarkRow);
}

/**
 * Rows [from, to) of a columnar window as grademark rows, read straight from the typed arrays:
 * no cache `Bar` objects are built on the way (the same values as toGrademarkRows of those bars). Pure.
 */
export function grademarkRowsFromColumns(w: ColumnWindow, from = 0, to: number = w.length): GrademarkBar[] {
  const { time, open, high, low, close, volume } = w;
  const out: GrademarkBar[] = new Array(Math.max(0, to - from));
  for (let i = from; i < to; i++) {
    out[i - from] = { time: new Date(time[i]!), open: open[i]!, high: high[i]!, low: low[i]!, close: close[i]!, volume: volume[i]! };
  }
  return out;
}
