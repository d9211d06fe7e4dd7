import type { Interval } from '@barcache/cache-core';
import { isoDate, startOfUtcDay } from './format.js';

/** The intervals cache-core supports, in the order the quick pick shows them. */
export const INTERVAL_LIST: readonly Interval[] = ['1m', '2m', '5m', '15m', '30m', '60m', '90m', '1h', '1d', '5d', '1wk', '1mo', '3mo'];

export function isInterval(value: unknown): value is Interval {
  return typeof value === 'string' && (INTERVAL_LIST as readonly string[]).includes(value);
}

/** The same rule as cache-core's normalizeSymbol: letters, digits and . ^ = - _ &, at most 32. */
const SYMBOL = /^[A-Z0-9^][A-Z0-9.^=\-_&]{0,31}$/;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * "aapl, MSFT  spy" → ['AAPL', 'MSFT', 'SPY']: comma/space separated, upper-cased, de-duplicated
 * in order. Empty input or a malformed ticker is an error naming it.
 */
export function parseSymbols(text: string): { ok: true; symbols: string[] } | { ok: false; message: string } {
  const parts = text
    .split(/[\s,;]+/)
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
  if (parts.length === 0) return { ok: false, message: 'Enter at least one symbol (e.g. SPY, AAPL MSFT).' };
  const bad = parts.filter((s) => !SYMBOL.test(s));
  if (bad.length > 0) {
    return {
      ok: false,
      message: `Not a ticker: ${bad.slice(0, 3).join(', ')}${bad.length > 3 ? '…' : ''} (letters, digits and . ^ = - _ & only, at most 32)`,
    };
  }
  return { ok: true, symbols: [...new Set(parts)] };
}

/** For an InputBox's validateInput: undefined when valid, else the message. */
export function validateSymbolsInput(text: string): string | undefined {
  const r = parseSymbols(text);
  return r.ok ? undefined : r.message;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const RELATIVE = /^-(\d{1,4})\s*([dwmy])$/i;
const DAY_MS = 86_400_000;

/**
 * A date as people type it into the quick input: 'YYYY-MM-DD', 'today', 'yesterday', or a relative
 * '-30d' / '-2w' / '-6m' / '-1y' (before today, UTC). Returns 'YYYY-MM-DD'.
 */
export function parseDate(text: string, now: number): Parsed<string> {
  const s = text.trim().toLowerCase();
  if (s === '') return { ok: false, message: 'Enter a date: YYYY-MM-DD, today, or -30d / -6m / -1y.' };
  const today = startOfUtcDay(now);
  if (s === 'today') return { ok: true, value: isoDate(today) };
  if (s === 'yesterday') return { ok: true, value: isoDate(today - DAY_MS) };
  const rel = RELATIVE.exec(s);
  if (rel) {
    const n = Number(rel[1]);
    const unit = (rel[2] ?? 'd').toLowerCase();
    const d = new Date(today);
    if (unit === 'd') d.setUTCDate(d.getUTCDate() - n);
    else if (unit === 'w') d.setUTCDate(d.getUTCDate() - 7 * n);
    else if (unit === 'm') d.setUTCMonth(d.getUTCMonth() - n);
    else d.setUTCFullYear(d.getUTCFullYear() - n);
    return { ok: true, value: isoDate(d.getTime()) };
  }
  const m = DATE_ONLY.exec(s);
  if (!m) return { ok: false, message: `"${text.trim()}" is not a date: use YYYY-MM-DD, today, or -30d / -6m / -1y.` };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    return { ok: false, message: `${text.trim()} is not a calendar date.` };
  }
  if (y < 1970) return { ok: false, message: 'Dates before 1970 are not supported.' };
  return { ok: true, value: s };
}

export function validateDateInput(text: string, now: number): string | undefined {
  const r = parseDate(text, now);
  return r.ok ? undefined : r.message;
}

/** Both ends parsed and ordered (start <= end), and the end not after today. */
export function parseRange(startText: string, endText: string, now: number): Parsed<{ start: string; end: string }> {
  const a = parseDate(startText, now);
  if (!a.ok) return { ok: false, message: `Start: ${a.message}` };
  const b = parseDate(endText, now);
  if (!b.ok) return { ok: false, message: `End: ${b.message}` };
  if (a.value > b.value) return { ok: false, message: `The start (${a.value}) is after the end (${b.value}).` };
  return { ok: true, value: { start: a.value, end: b.value } };
}

/** The range Warm Cache… proposes: `days` days up to today (UTC). */
export function defaultRange(now: number, days: number): { start: string; end: string } {
  const today = startOfUtcDay(now);
  return { start: isoDate(today - Math.max(1, days) * DAY_MS), end: isoDate(today) };
}

/** Most-recent-first list of distinct values, at most `max`. */
export function pushRecent(list: readonly string[], value: string, max = 5): string[] {
  return [value, ...list.filter((v) => v !== value)].slice(0, max);
}
