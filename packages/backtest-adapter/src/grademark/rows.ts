import type { Bar } from '@barcache/cache-core';

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
