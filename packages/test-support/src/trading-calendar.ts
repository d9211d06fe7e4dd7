/**
 * A deterministic US equity trading calendar for synthetic data: weekdays minus a fixed list of
 * NYSE holidays with their observed-date rules. Special closures (national days of mourning,
 * Hurricane Sandy, 9/11) are deliberately left out: the calendar only has to be stable, not perfect.
 *
 * All dates are 00:00 UTC epoch ms ("date ms") or 'YYYY-MM-DD' strings.
 */

import { DAY_MS } from '@barcache/cache-core';

export { DAY_MS };

export interface MarketHoliday {
  /** 'YYYY-MM-DD' of the day the market is closed (the observed date). */
  date: string;
  name: string;
}

const cache = new Map<number, MarketHoliday[]>();

function ymd(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** 00:00 UTC of the n-th (1-based) `weekday` (0 = Sunday) of a month; n = -1 for the last. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = Date.UTC(year, month, 1);
    const shift = (weekday - new Date(first).getUTCDay() + 7) % 7;
    return first + (shift + 7 * (n - 1)) * DAY_MS;
  }
  const last = Date.UTC(year, month + 1, 0);
  const shift = (new Date(last).getUTCDay() - weekday + 7) % 7;
  return last - shift * DAY_MS;
}

/** Easter Sunday (Gregorian, anonymous algorithm), 00:00 UTC. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

/** Saturday → Friday before, Sunday → Monday after (the NYSE rule for fixed-date holidays). */
function observed(t: number): number {
  const dow = new Date(t).getUTCDay();
  if (dow === 6) return t - DAY_MS;
  if (dow === 0) return t + DAY_MS;
  return t;
}

/** The NYSE holidays of a year (observed dates, ascending). */
export function usMarketHolidays(year: number): MarketHoliday[] {
  const hit = cache.get(year);
  if (hit) return hit;
  const list: { t: number; name: string }[] = [];
  // New Year's Day: Sunday → Monday; on a Saturday it is NOT observed on Friday 31 Dec (NYSE rule).
  const ny = Date.UTC(year, 0, 1);
  const nyDow = new Date(ny).getUTCDay();
  if (nyDow !== 6) list.push({ t: nyDow === 0 ? ny + DAY_MS : ny, name: "New Year's Day" });
  list.push({ t: nthWeekday(year, 0, 1, 3), name: 'Martin Luther King Jr. Day' });
  list.push({ t: nthWeekday(year, 1, 1, 3), name: "Washington's Birthday" });
  list.push({ t: easterSunday(year) - 2 * DAY_MS, name: 'Good Friday' });
  list.push({ t: nthWeekday(year, 4, 1, -1), name: 'Memorial Day' });
  if (year >= 2022) list.push({ t: observed(Date.UTC(year, 5, 19)), name: 'Juneteenth' });
  list.push({ t: observed(Date.UTC(year, 6, 4)), name: 'Independence Day' });
  list.push({ t: nthWeekday(year, 8, 1, 1), name: 'Labor Day' });
  list.push({ t: nthWeekday(year, 10, 4, 4), name: 'Thanksgiving Day' });
  list.push({ t: observed(Date.UTC(year, 11, 25)), name: 'Christmas Day' });
  list.sort((a, b) => a.t - b.t);
  const out = list.map(({ t, name }) => ({ date: ymd(t), name }));
  cache.set(year, out);
  return out;
}

const holidaySets = new Map<number, Set<string>>();

function holidaySet(year: number): Set<string> {
  let set = holidaySets.get(year);
  if (!set) {
    set = new Set(usMarketHolidays(year).map((h) => h.date));
    holidaySets.set(year, set);
  }
  return set;
}

function toDateMs(date: number | string | Date): number {
  if (typeof date === 'string') {
    const t = Date.parse(date.length === 10 ? `${date}T00:00:00Z` : date);
    if (!Number.isFinite(t)) throw new TypeError(`not a date: ${date}`);
    return Math.floor(t / DAY_MS) * DAY_MS;
  }
  const t = date instanceof Date ? date.getTime() : date;
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** The holiday's name when the (UTC) date is a US market holiday, else undefined. */
export function holidayName(date: number | string | Date): string | undefined {
  const t = toDateMs(date);
  const key = ymd(t);
  return usMarketHolidays(new Date(t).getUTCFullYear()).find((h) => h.date === key)?.name;
}

/** True when the UTC calendar date of `date` is a weekday that is not a US market holiday. */
export function isTradingDay(date: number | string | Date): boolean {
  const t = toDateMs(date);
  const dow = new Date(t).getUTCDay();
  if (dow === 0 || dow === 6) return false;
  return !holidaySet(new Date(t).getUTCFullYear()).has(ymd(t));
}

/**
 * The trading dates (00:00 UTC ms, ascending) whose date ms lies in [start, end) — half-open,
 * like ProviderRequest. `start` is rounded down to its UTC date.
 */
export function tradingDays(start: number | string | Date, end: number | string | Date): number[] {
  const from = toDateMs(start);
  const to = typeof end === 'string' && end.length === 10 ? toDateMs(end) : end instanceof Date ? end.getTime() : typeof end === 'number' ? end : toDateMs(end);
  const out: number[] = [];
  for (let t = from; t < to; t += DAY_MS) if (isTradingDay(t)) out.push(t);
  return out;
}

/** The n-th trading day strictly before `date` (n >= 1), as date ms. Handy for lookback checks. */
export function tradingDaysBefore(date: number | string | Date, n: number): number {
  let t = toDateMs(date);
  let left = n;
  while (left > 0) {
    t -= DAY_MS;
    if (isTradingDay(t)) left--;
  }
  return t;
}
