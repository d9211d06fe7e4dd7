import { BarcacheError, ErrorCode, assertInterval, formatTime, invalidArgument, normalizeSymbol, parseTimeInput } from '@barcache/cache-core';
import type { Interval, TimeInput } from '@barcache/cache-core';

/**
 * Input checks shared by the plugins. Each throws a BarcacheError with a stable code and names
 * the offending field, before anything is fetched.
 */

export { normalizeSymbol as requireSymbol, invalidArgument, formatTime as iso };

/** A symbol list: non-empty, each symbol well-formed, duplicates removed (order kept). */
export function requireSymbols(value: unknown, field = 'symbols'): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidArgument(`${field} must be a non-empty array of symbols`, { field, value });
  }
  return [...new Set(value.map((s) => normalizeSymbol(s)))];
}

export interface ParsedRange {
  start: number;
  end: number;
}

/** Parses an inclusive [start, end] range; `end` before `start` is INVALID_ARGUMENT. */
export function requireRange(start: TimeInput | undefined, end: TimeInput | undefined): ParsedRange {
  if (start === undefined || start === null) throw invalidArgument('start is required', { field: 'start' });
  if (end === undefined || end === null) throw invalidArgument('end is required', { field: 'end' });
  const s = parseTimeInput(start, 'start');
  const e = parseTimeInput(end, 'end');
  if (e < s) {
    throw invalidArgument(`end (${formatTime(e)}) is before start (${formatTime(s)})`, { field: 'end', start: s, end: e });
  }
  return { start: s, end: e };
}

/** A lookback in bars or days: a positive integer. */
export function requireLookback(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw invalidArgument(`${field} must be a positive integer, got ${JSON.stringify(value)}`, { field, value });
  }
  return value;
}

/** The longest of one or several optional lookbacks (undefined when none was given). */
export function longestLookback(value: number | readonly number[] | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return undefined;
  return Math.max(...list.map((v, i) => requireLookback(v, Array.isArray(value) ? `${field}[${i}]` : field)));
}

export function requireInterval(value: unknown): Interval {
  return assertInterval(value);
}

export function noData(message: string, details: Record<string, unknown>): BarcacheError {
  return new BarcacheError(ErrorCode.NO_DATA, message, { details });
}
