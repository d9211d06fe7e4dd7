import { mulberry32 } from '@barcache/test-support';
import type { Bar } from '../src/types.js';
import { DAY_MS as DAY } from '../src/intervals.js';


/**
 * A Yahoo-like daily series: weekdays only, prices a random walk rounded to cents and then
 * Math.fround'ed (Yahoo sends float32 values widened to double), integer volumes 1e5..1e8,
 * adjClose = close × a slowly varying factor, fround'ed.
 */
export function yahooLikeDaily(years: number, seed = 1, startMs = Date.UTC(2014, 0, 2)): Bar[] {
  // A deterministic PRNG so size assertions are stable.
  const r = mulberry32(seed);
  const bars: Bar[] = [];
  let price = 20 + r() * 300;
  let factor = 0.9;
  const cents = (x: number) => Math.fround(Math.round(x * 100) / 100);
  for (let t = startMs, end = startMs + years * 365.25 * DAY; t < end; t += DAY) {
    const dow = new Date(t).getUTCDay();
    if (dow === 0 || dow === 6) continue;
    if (r() < 0.01) continue; // holidays
    const open = price * (1 + (r() - 0.5) * 0.01);
    price = Math.max(1, price * (1 + (r() - 0.5) * 0.04));
    const close = price;
    const high = Math.max(open, close) * (1 + r() * 0.015);
    const low = Math.min(open, close) * (1 - r() * 0.015);
    factor = Math.min(1, factor + r() * 0.0002);
    const c = cents(close);
    bars.push({
      time: t,
      open: cents(open),
      high: cents(high),
      low: cents(low),
      close: c,
      volume: Math.round(Math.exp(Math.log(1e5) + r() * Math.log(1e3))),
      adjClose: Math.fround(c * factor),
    });
  }
  return bars;
}
