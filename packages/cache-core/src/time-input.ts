import { invalidArgument } from './errors.js';
import type { TimeInput } from './types.js';

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
