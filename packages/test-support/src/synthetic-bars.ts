/**
 * Deterministic synthetic bars: the same symbol (and seed) always gives the same bar for the same
 * date, whatever range is asked for, so overlapping fetches agree bar for bar (what a cache test
 * needs). Prices are rounded to cents and passed through Math.fround like Yahoo's float32 prices.
 * adjClose is close × the cumulative dividend factor of the quarterly dividends between the bar and
 * a fixed as-of date (ADJUSTED_AS_OF), Math.fround'ed, the way Yahoo adjusts: constant between two
 * ex-dates, stepping at each (see `dividendFactor`).
 *
 * This is LOCAL, MADE-UP data: never present it as market data.
 */
import { intervalStepMs, isDailyOrLonger, type Bar, type Interval } from '@barcache/cache-core';
import { DAY_MS, isTradingDay, tradingDays } from './trading-calendar.js';
import { atLocalTime, localDateMs } from './time-zones.js';

/** Date, epoch ms, 'YYYY-MM-DD' (00:00 UTC) or an ISO date-time. */
export type DateLike = Date | number | string;

export interface SyntheticDailyOptions {
  symbol: string;
  /** Inclusive. */
  start: DateLike;
  /** Exclusive (half-open, like ProviderRequest) unless `inclusive` is true. */
  end: DateLike;
  /** Varies the series for the same symbol. Default 0. */
  seed?: number;
  /** Treat `end` as inclusive (start <= time <= end, like BarCache.getBars). Default false. */
  inclusive?: boolean;
}

export interface SyntheticIntradayOptions extends SyntheticDailyOptions {
  interval: Interval;
  /** The exchange's IANA zone; the session is in its local time. Default 'America/New_York'. */
  timezone?: string;
  /** Regular session, local 'HH:MM'. Default 09:30–16:00. */
  session?: { open: string; close: string };
  /** Add pre-market (04:00) and after-hours (until 20:00) bars. Default false. */
  includePrePost?: boolean;
}

export interface SyntheticBarsOptions extends SyntheticDailyOptions {
  interval: Interval;
  timezone?: string;
  session?: { open: string; close: string };
  includePrePost?: boolean;
}

export function isIntradayInterval(interval: Interval): boolean {
  return !isDailyOrLonger(interval);
}

/** Bar length in ms (the nominal one for 1mo/3mo). */
export function syntheticStepMs(interval: Interval): number {
  return intervalStepMs(interval);
}

export function toEpochMs(value: DateLike): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(t)) throw new TypeError(`not a date: ${value}`);
  return t;
}

function range(opts: { start: DateLike; end: DateLike; inclusive?: boolean }): [number, number] {
  const start = toEpochMs(opts.start);
  const end = toEpochMs(opts.end) + (opts.inclusive ? 1 : 0);
  return [start, end];
}

// ---------------------------------------------------------------------------------------------
// Randomness

/** FNV-1a 32-bit hash of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny, fast, deterministic PRNG returning [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Rounded to cents, then to float32 (what Yahoo's JSON carries). */
export function yahooPrice(x: number): number {
  return Math.fround(Math.round(x * 100) / 100);
}

// ---------------------------------------------------------------------------------------------
// Daily series: one mean-reverting random walk per (symbol, seed), generated from a fixed origin
// and memoised, so any sub-range is a slice of the same series.

const ORIGIN = Date.UTC(1980, 0, 1);
const HORIZON = Date.UTC(2100, 0, 1);

interface Walk {
  symbol: string;
  seed: number;
  rand: () => number;
  base: number;
  x: number;
  prevClose: number;
  volBase: number;
  /** Generated up to (exclusive) this date ms. */
  until: number;
  dates: number[];
  bars: Bar[];
}

const walks = new Map<string, Walk>();

/** The date the synthetic adjusted closes are adjusted as of (like Yahoo's "today"): bars after it have adjClose = close. */
export const ADJUSTED_AS_OF = Date.UTC(2030, 0, 1);
const QUARTER_MS = 91 * DAY_MS;

/** Per symbol: the ex-dates (one per 91 days from 1980 up to ADJUSTED_AS_OF) and the factor of each bar before them. */
interface Dividends {
  exDates: number[];
  /** suffix[i] = product of the event factors of exDates[i..]: the factor of a bar before exDates[i] and on or after exDates[i-1]. */
  suffix: number[];
}
const dividendTables = new Map<string, Dividends>();

function dividendsFor(symbol: string, seed: number): Dividends {
  const key = `${symbol}\u0000${seed}`;
  let d = dividendTables.get(key);
  if (!d) {
    // Its own PRNG: the price walk stays what it was. A yield of 0.5–4.5% a year, each quarter's
    // amount ±20% around it.
    const rand = mulberry32(hashString(`dividends|${symbol}`) ^ Math.imul(seed | 0, 0x85ebca6b));
    const annual = 0.005 + rand() * 0.04;
    const offset = Math.floor(rand() * 91) * DAY_MS;
    const exDates: number[] = [];
    const factors: number[] = [];
    for (let t = ORIGIN + offset; t < ADJUSTED_AS_OF; t += QUARTER_MS) {
      exDates.push(t);
      factors.push(1 - (annual / 4) * (0.8 + 0.4 * rand()));
    }
    const suffix = new Array<number>(exDates.length + 1);
    suffix[exDates.length] = 1;
    for (let i = exDates.length - 1; i >= 0; i--) suffix[i] = suffix[i + 1]! * factors[i]!;
    d = { exDates, suffix };
    dividendTables.set(key, d);
  }
  return d;
}

/** The cumulative dividend factor of a bar at date ms `t`: the product over the ex-dates after it (up to ADJUSTED_AS_OF). */
export function dividendFactor(symbol: string, t: number, seed = 0): number {
  const { exDates, suffix } = dividendsFor(symbol, seed);
  let lo = 0;
  let hi = exDates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (exDates[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return suffix[lo]!;
}

function walkFor(symbol: string, seed: number): Walk {
  const key = `${symbol}\u0000${seed}`;
  let w = walks.get(key);
  if (!w) {
    const rand = mulberry32(hashString(symbol) ^ Math.imul(seed | 0, 0x9e3779b1));
    const base = Math.log(20 + rand() * 280);
    w = { symbol, seed, rand, base, x: base, prevClose: Math.exp(base), volBase: 0.5 + rand() * 4, until: ORIGIN, dates: [], bars: [] };
    walks.set(key, w);
  }
  return w;
}

function extendWalk(w: Walk, to: number): void {
  const target = Math.min(HORIZON, Math.max(to, w.until) + 366 * DAY_MS);
  if (to <= w.until) return;
  const { rand } = w;
  for (let t = w.until; t < target; t += DAY_MS) {
    if (!isTradingDay(t)) continue;
    w.x += 0.002 * (w.base - w.x) + 0.0002 + 0.015 * gaussian(rand);
    const close = yahooPrice(Math.exp(w.x));
    const open = yahooPrice(w.prevClose * Math.exp(0.004 * gaussian(rand)));
    const high = yahooPrice(Math.max(open, close) * (1 + 0.008 * Math.abs(gaussian(rand))));
    const low = yahooPrice(Math.min(open, close) * (1 - 0.008 * Math.abs(gaussian(rand))));
    const volume = Math.round(1_000_000 * w.volBase * Math.exp(0.4 * gaussian(rand)));
    w.prevClose = close;
    w.dates.push(t);
    w.bars.push({ time: t, open, high, low, close, volume, adjClose: Math.fround(close * dividendFactor(w.symbol, t, w.seed)) });
  }
  w.until = target;
}

function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Daily bars (time = 00:00 UTC of the trading date) on the US trading calendar, for dates in
 * [start, end) (or [start, end] with `inclusive`). Deterministic per symbol and seed; dates
 * outside 1980–2099 give no bars.
 */
export function syntheticDailyBars(opts: SyntheticDailyOptions): Bar[] {
  const [start, end] = range(opts);
  if (!(end > start)) return [];
  const w = walkFor(opts.symbol, opts.seed ?? 0);
  extendWalk(w, end);
  const i = lowerBound(w.dates, start);
  const j = lowerBound(w.dates, end);
  return w.bars.slice(i, j).map((b) => ({ ...b }));
}

/** The synthetic daily bar of one date, or undefined on a weekend or holiday. */
export function syntheticDailyBar(symbol: string, date: DateLike, seed = 0): Bar | undefined {
  const t = Math.floor(toEpochMs(date) / DAY_MS) * DAY_MS;
  return syntheticDailyBars({ symbol, start: t, end: t + DAY_MS, seed })[0];
}

/**
 * Minute-level bars inside the session (default 09:30–16:00 America/New_York) of each trading day,
 * with time = the bar's open (epoch ms), for bars whose open lies in [start, end). Each day's path
 * runs from that day's synthetic daily open to its close, so intraday and daily agree roughly.
 */
export function syntheticIntradayBars(opts: SyntheticIntradayOptions): Bar[] {
  const step = intervalStepMs(opts.interval);
  if (step >= DAY_MS) throw new TypeError(`syntheticIntradayBars: ${opts.interval} is not an intraday interval`);
  const [start, end] = range(opts);
  if (!(end > start)) return [];
  const tz = opts.timezone ?? 'America/New_York';
  const session = opts.session ?? { open: '09:30', close: '16:00' };
  const out: Bar[] = [];
  // Local dates that may hold bars in [start, end): widen by a day for zones far from UTC.
  for (const date of tradingDays(localDateMs(start, tz) - DAY_MS, localDateMs(end, tz) + 2 * DAY_MS)) {
    const daily = syntheticDailyBar(opts.symbol, date, opts.seed ?? 0);
    if (!daily) continue;
    const open = atLocalTime(date, opts.includePrePost ? '04:00' : session.open, tz);
    const close = atLocalTime(date, opts.includePrePost ? '20:00' : session.close, tz);
    if (close <= start || open >= end) continue;
    const n = Math.ceil((close - open) / step);
    const rand = mulberry32(hashString(`${opts.symbol}|${opts.seed ?? 0}|${date}|${opts.interval}`));
    // A Brownian bridge from the day's open to its close.
    const path: number[] = [daily.open];
    let x = 0;
    const noise: number[] = [0];
    for (let k = 1; k <= n; k++) {
      x += gaussian(rand) * 0.0015;
      noise.push(x);
    }
    for (let k = 1; k <= n; k++) {
      const frac = k / n;
      const bridge = (noise[k] as number) - frac * (noise[n] as number);
      path.push(daily.open + (daily.close - daily.open) * frac + daily.open * bridge);
    }
    const perBar = daily.volume / n;
    for (let k = 0; k < n; k++) {
      const t = open + k * step;
      if (t < start || t >= end) continue;
      const o = yahooPrice(path[k] as number);
      const c = yahooPrice(path[k + 1] as number);
      const h = yahooPrice(Math.max(o, c) * (1 + 0.0007 * rand()));
      const l = yahooPrice(Math.min(o, c) * (1 - 0.0007 * rand()));
      out.push({ time: t, open: o, high: h, low: l, close: c, volume: Math.round(perBar * (0.5 + rand())) });
    }
  }
  return out;
}

/** Monday 00:00 UTC of the week containing date ms `t`. */
function weekStart(t: number): number {
  const dow = (new Date(t).getUTCDay() + 6) % 7;
  return t - dow * DAY_MS;
}

function periodStart(interval: Interval, t: number): number {
  const d = new Date(t);
  if (interval === '1wk') return weekStart(t);
  if (interval === '1mo') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (interval === '3mo') return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
  return t;
}

/** Aggregates daily bars into 1wk (Monday), 1mo or 3mo bars named by the period's first date. */
export function aggregateDailyBars(daily: Bar[], interval: Interval): Bar[] {
  if (interval === '1d' || interval === '5d') return daily.map((b) => ({ ...b }));
  const out: Bar[] = [];
  let cur: Bar | undefined;
  for (const b of daily) {
    const p = periodStart(interval, b.time);
    if (!cur || cur.time !== p) {
      cur = { ...b, time: p };
      out.push(cur);
    } else {
      cur.high = Math.max(cur.high, b.high);
      cur.low = Math.min(cur.low, b.low);
      cur.close = b.close;
      cur.volume += b.volume;
      if (b.adjClose !== undefined) cur.adjClose = b.adjClose;
    }
  }
  return out;
}

/**
 * Any interval: intraday → syntheticIntradayBars; 1d and 5d → daily bars; 1wk/1mo/3mo → daily
 * bars aggregated per period (time = 00:00 UTC of the period's first date, kept when it lies in
 * the range).
 */
export function syntheticBars(opts: SyntheticBarsOptions): Bar[] {
  if (isIntradayInterval(opts.interval)) return syntheticIntradayBars(opts);
  if (opts.interval === '1d' || opts.interval === '5d') return syntheticDailyBars(opts);
  const [start, end] = range(opts);
  const from = periodStart(opts.interval, Math.floor(start / DAY_MS) * DAY_MS);
  const daily = syntheticDailyBars({ symbol: opts.symbol, start: from, end: end + 93 * DAY_MS, seed: opts.seed ?? 0 });
  return aggregateDailyBars(daily, opts.interval).filter((b) => b.time >= start && b.time < end);
}
