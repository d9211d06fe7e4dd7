import { mulberry32 } from '@barcache/test-support';
import type { Bar } from '../src/types.js';
import { DAY_MS } from '../src/intervals.js';

/**
 * Market-like series for measuring and testing the block codec on data shaped like what Yahoo
 * (and other providers) send, independent of test-support's generator:
 *
 * - prices are decimal (cents, or 4 decimals for penny stocks) and, like Yahoo's, widened from
 *   float32 (`Math.fround`), or plain doubles (`priceFloat32: false`, a CSV or file provider);
 * - adjClose = close × the cumulative factor of the dividends (1 − amount / previous close) and,
 *   when close is not split-adjusted (`splitAdjustedClose: false`), of the splits after the bar,
 *   rounded the way the source does: `float32` (Yahoo's chart JSON), `decimal6` (the CSV download),
 *   `float32-stepwise` (the factor applied one event at a time in float32), `double` (a program
 *   computing close * factor);
 * - optional holes: bars whose prices are all NaN (Yahoo's nulls), and odd bars with a close but no
 *   adjusted close.
 *
 * Made-up data for tests: deterministic per seed.
 */
export type AdjRounding = 'float32' | 'decimal6' | 'float32-stepwise' | 'double';

export interface MarketLikeOptions {
  seed?: number;
  /** Daily bars (default) or 1-minute bars over a regular session. */
  interval?: '1d' | '1m';
  /** Trading days. Default 2520 (10 years). */
  days?: number;
  startPrice?: number;
  /** Decimals of the price grid: 2 (default) or 4 (penny stocks). */
  decimals?: number;
  /** Widen prices from float32 like Yahoo. Default true. */
  priceFloat32?: boolean;
  /** Annual dividend yield (0 = none). Default 0.025, paid quarterly. */
  dividendYield?: number;
  /** Probability of a split per year. Default 0. */
  splitsPerYear?: number;
  /** Default true (Yahoo's close is split-adjusted, so splits do not move adjClose / close). */
  splitAdjustedClose?: boolean;
  adjRounding?: AdjRounding;
  /** Whether bars carry adjClose. Default true for daily, false for minute bars. */
  withAdjClose?: boolean;
  /** Fraction of bars that are holes (all prices NaN). Default 0. */
  holeRate?: number;
  /** Daily volatility. Default 0.018. */
  volatility?: number;
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function marketLikeBars(opts: MarketLikeOptions = {}): Bar[] {
  const rand = mulberry32(opts.seed ?? 1);
  const minute = opts.interval === '1m';
  const days = opts.days ?? (minute ? 5 : 2520);
  const decimals = opts.decimals ?? 2;
  const scale = 10 ** decimals;
  const f32 = opts.priceFloat32 ?? true;
  const price = (x: number) => {
    const v = Math.max(1 / scale, Math.round(x * scale) / scale);
    return f32 ? Math.fround(v) : v;
  };
  const vol = (opts.volatility ?? 0.018) / (minute ? Math.sqrt(390) : 1);
  const withAdj = opts.withAdjClose ?? !minute;
  const holeRate = opts.holeRate ?? 0;
  let x = opts.startPrice ?? 20 + rand() * 200;
  let prevClose = price(x);
  const volBase = minute ? 2_000 + rand() * 20_000 : 200_000 + rand() * 20_000_000;

  const bars: Bar[] = [];
  /** Per bar: the dividend or split event taking effect at this bar (a factor for earlier bars). */
  const events: number[] = [];
  let splitDivisor = 1;
  let t = Date.UTC(2012, 0, 2) + (minute ? 14.5 * 3600_000 : 0);
  for (let d = 0; d < days; d++) {
    const perDay = minute ? 390 : 1;
    for (let k = 0; k < perDay; k++) {
      const time = minute ? t + k * 60_000 : t;
      let event = 1;
      // Splits: the unadjusted price falls by the ratio; the split-adjusted series does not move.
      if (!minute && k === 0 && rand() < (opts.splitsPerYear ?? 0) / 252) {
        const ratio = [2, 3, 4, 1.5, 0.1][Math.floor(rand() * 5)]!;
        splitDivisor *= ratio;
        if (opts.splitAdjustedClose === false) event *= 1 / ratio;
      }
      // Quarterly dividends (~ every 63 trading days).
      const yieldY = opts.dividendYield ?? 0.025;
      if (!minute && yieldY > 0 && d % 63 === 31 && k === 0) {
        const amount = Math.round(((prevClose * yieldY) / 4) * (0.9 + 0.2 * rand()) * 1e4) / 1e4;
        event *= 1 - amount / prevClose;
      }
      x *= Math.exp(vol * gaussian(rand));
      const raw = opts.splitAdjustedClose === false ? x / splitDivisor : x;
      const open = price(prevClose * Math.exp(0.3 * vol * gaussian(rand)));
      const close = price(raw);
      const high = price(Math.max(open, close) * (1 + 0.4 * vol * Math.abs(gaussian(rand))));
      const low = price(Math.min(open, close) * (1 - 0.4 * vol * Math.abs(gaussian(rand))));
      const volume = Math.round(volBase * Math.exp(0.5 * gaussian(rand)) * (minute && k === 0 ? 10 : 1));
      prevClose = close;
      if (rand() < holeRate) {
        bars.push({ time, open: NaN, high: NaN, low: NaN, close: NaN, volume: 0, ...(withAdj ? { adjClose: NaN } : {}) });
      } else {
        bars.push({ time, open, high, low, close, volume });
      }
      events.push(event);
    }
    t += DAY_MS;
    const dow = new Date(t).getUTCDay();
    if (dow === 6) t += 2 * DAY_MS;
  }
  if (!withAdj) return bars;
  // adjClose: each bar's factor is the product of the events after it.
  const rounding = opts.adjRounding ?? 'float32';
  let factor = 1;
  const stepwise: number[] = [];
  for (let i = bars.length - 1; i >= 0; i--) {
    const b = bars[i]!;
    if (b.adjClose === undefined) {
      const c = b.close;
      let adj: number;
      if (rounding === 'float32') adj = Math.fround(c * factor);
      else if (rounding === 'decimal6') adj = Math.round(c * factor * 1e6) / 1e6;
      else if (rounding === 'double') adj = c * factor;
      else {
        // One event at a time, in float32.
        let v = Math.fround(c);
        for (const e of stepwise) v = Math.fround(v * e);
        adj = v;
      }
      b.adjClose = adj;
    }
    const e = events[i]!;
    if (e !== 1) {
      factor *= e;
      stepwise.push(Math.fround(e));
    }
  }
  return bars;
}
