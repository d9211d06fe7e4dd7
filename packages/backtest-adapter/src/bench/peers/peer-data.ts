/**
 * The data every peer loads: `symbols` × 10 years of synthetic daily bars (test-support's
 * generator, the bars the bench's provider serves), as seven Float64 columns per symbol.
 */
import { syntheticDailyBars } from '@barcache/test-support';
import type { Bar } from '@barcache/cache-core';

/** 2015-01-01 through 2024-12-31: ten whole years, so Barcache's year blocks hold exactly these bars. */
export const PEER_START = Date.UTC(2015, 0, 1);
export const PEER_END = Date.UTC(2025, 0, 1);

/** The column order every peer stores and returns. */
export const COLUMN_NAMES = ['time', 'open', 'high', 'low', 'close', 'volume', 'adjClose'] as const;
export type ColumnName = (typeof COLUMN_NAMES)[number];

/** One symbol's bars as typed-array columns (what each peer's load must produce). */
export type SeriesColumns = Record<ColumnName, Float64Array>;

export function peerSymbols(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `PEER${String(i).padStart(3, '0')}`);
}

export function peerBars(symbol: string): Bar[] {
  return syntheticDailyBars({ symbol, start: PEER_START, end: PEER_END });
}

/** The bars as seven columns packed in one Float64Array: column c occupies [c·n, (c+1)·n). */
export function packColumns(bars: readonly Bar[]): Float64Array {
  const n = bars.length;
  const out = new Float64Array(n * COLUMN_NAMES.length);
  for (let i = 0; i < n; i++) {
    const b = bars[i]!;
    out[i] = b.time;
    out[n + i] = b.open;
    out[2 * n + i] = b.high;
    out[3 * n + i] = b.low;
    out[4 * n + i] = b.close;
    out[5 * n + i] = b.volume;
    out[6 * n + i] = b.adjClose ?? NaN;
  }
  return out;
}

/** Views of the seven columns of a packed Float64Array (see packColumns). No copy. */
export function unpackColumns(packed: Float64Array): SeriesColumns {
  const n = packed.length / COLUMN_NAMES.length;
  const col = (c: number) => packed.subarray(c * n, (c + 1) * n);
  return { time: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5), adjClose: col(6) };
}

/** Seven fresh columns of `n` bars backed by one allocation. */
export function allocateColumns(n: number): SeriesColumns {
  return unpackColumns(new Float64Array(n * COLUMN_NAMES.length));
}

/** Bars and a checksum over every value, so peers that loaded the same data agree exactly. */
export function checksumOf(series: readonly SeriesColumns[]): { bars: number; checksum: number } {
  let bars = 0;
  let sum = 0;
  for (const s of series) {
    bars += s.time.length;
    for (const name of COLUMN_NAMES) {
      const x = s[name];
      // Times and volumes dwarf prices: scale so every column moves the sum.
      const w = name === 'time' ? 1e-9 : name === 'volume' ? 1e-6 : 1;
      for (let i = 0; i < x.length; i++) sum += x[i]! * w;
    }
  }
  return { bars, checksum: Math.round(sum * 1000) / 1000 };
}
