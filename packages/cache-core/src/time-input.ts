import { invalidArgument } from './errors.js';
import type { TimeInput } from './types.js';
import { daysFromCivil } from './utc-calendar.js';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// An ISO 8601 date-time with a time zone (Z or ±hh:mm). Without a zone it would depend on the
// machine's local zone, which a cache keyed on UTC must not do.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Turns a TimeInput into epoch ms, or throws INVALID_ARGUMENT naming the field.
 * 'YYYY-MM-DD' is 00:00 UTC of that date; date-times need an explicit zone.
 */
export function parseTimeInput(value: TimeInput, field = 'time'): number {
  if (value instanceof Date) {
    const t = value.getTime();
    if (Number.isFinite(t)) return t;
    throw invalidArgument(`${field} is an invalid Date`, { field });
  }
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw invalidArgument(`${field} must be a finite epoch-ms number, got ${value}`, { field, value });
  }
  if (typeof value === 'string') {
    const fast = value.length === 10 ? dateOnlyMs(value) : -1;
    if (fast !== -1) return fast;
    const s = value.trim();
    const m = DATE_ONLY.exec(s);
    if (m) {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const t = Date.UTC(y, mo - 1, d);
      const back = new Date(t);
      if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) return t;
      throw invalidArgument(`${field} ${JSON.stringify(value)} is not a calendar date`, { field, value });
    }
    if (DATE_TIME.test(s)) {
      const t = Date.parse(s);
      if (Number.isFinite(t)) return t;
    }
    throw invalidArgument(
      `${field} ${JSON.stringify(value)} is not a date: use 'YYYY-MM-DD', an ISO date-time with a zone, epoch ms, or a Date`,
      { field, value },
    );
  }
  throw invalidArgument(`${field} must be a Date, epoch ms or a date string, got ${typeof value}`, { field });
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** A digit's value at position i of s, or -1. */
function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Years whose months `dateOnlyMs` looks up in a table (built on first use); others are computed. */
const TABLE_FIRST_YEAR = 1900;
const TABLE_YEARS = 300;
let monthTable: { start: Float64Array; length: Uint8Array } | undefined;

/** Days from 1970-01-01 to the first of each month of the table's years, and each month's length. */
function buildMonthTable(): { start: Float64Array; length: Uint8Array } {
  const start = new Float64Array(TABLE_YEARS * 12);
  const length = new Uint8Array(TABLE_YEARS * 12);
  for (let k = 0; k < TABLE_YEARS * 12; k++) {
    const y = TABLE_FIRST_YEAR + Math.floor(k / 12);
    const m = (k % 12) + 1;
    start[k] = daysFromCivil(y, m, 1);
    length[k] = m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]!;
  }
  return { start, length };
}

/**
 * The hot path of a lookback keyed by dates: exactly 'YYYY-MM-DD' (years 0100–9999) to epoch ms
 * without a regex, a Date or an allocation, or -1 for anything else (the general parser then
 * decides, with its error messages). Years 1900–2199 are a table lookup (cheaper than the memo of
 * parsed strings it replaces on the lookback path); others are computed. Same answers as the
 * general path (property-tested, and every day of the table's years).
 */
export function dateOnlyMs(s: string): number {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return -1;
  const y0 = digitAt(s, 0), y1 = digitAt(s, 1), y2 = digitAt(s, 2), y3 = digitAt(s, 3);
  const m0 = digitAt(s, 5), m1 = digitAt(s, 6), d0 = digitAt(s, 8), d1 = digitAt(s, 9);
  if ((y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) < 0) return -1;
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const m = m0 * 10 + m1;
  const d = d0 * 10 + d1;
  if (y < 100 || m < 1 || m > 12 || d < 1) return -1;
  const k = (y - TABLE_FIRST_YEAR) * 12 + m - 1;
  if (k >= 0 && k < TABLE_YEARS * 12) {
    const table = (monthTable ??= buildMonthTable());
    return d > table.length[k]! ? -1 : (table.start[k]! + d - 1) * 86_400_000;
  }
  if (d > (m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]!)) return -1;
  return daysFromCivil(y, m, d) * 86_400_000;
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** Formats epoch ms as 'YYYY-MM-DD' when it is midnight UTC, else as an ISO date-time. */
export function formatTime(t: number): string {
  const iso = new Date(t).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

const SYMBOL = /^[A-Z0-9^][A-Z0-9.^=\-_&]{0,31}$/;

/** Normalises a ticker (trimmed, upper-case) or throws INVALID_ARGUMENT. */
export function normalizeSymbol(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidArgument(`symbol must be a non-empty string, got ${JSON.stringify(value)}`, { field: 'symbol', value });
  }
  const s = value.trim().toUpperCase();
  if (!SYMBOL.test(s)) {
    throw invalidArgument(`symbol ${JSON.stringify(value)} is malformed (letters, digits and . ^ = - _ & only, at most 32)`, {
      field: 'symbol',
      value,
    });
  }
  return s;
}

/** A half-open range for messages: `[start, end)` in formatTime's form. */
export function formatTimeRange(r: { start: number; end: number }): string {
  return `[${formatTime(r.start)}, ${formatTime(r.end)})`;
}
