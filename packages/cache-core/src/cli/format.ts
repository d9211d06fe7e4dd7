/**
 * Pure formatting for the CLI: times and ranges (and the shared figures from human-format.ts).
 * No I/O, no clock: everything the output depends on is an argument.
 */
import { DAY_MS } from '../intervals.js';
import { formatTime } from '../time-input.js';
import type { TimeRange } from '../types.js';

// The figures (bytes, counts, percentages, durations, ago) are shared with the VS Code extension.
export { formatAgo, formatBytes, formatCount, formatDuration, formatPercent } from '../human-format.js';

/** Epoch ms → 'YYYY-MM-DD' at midnight UTC, else 'YYYY-MM-DD HH:MMZ' (seconds when present). */
export function formatInstant(t: number | undefined): string {
  if (t === undefined || !Number.isFinite(t)) return '–';
  const s = formatTime(t);
  if (s.length === 10) return s;
  const iso = new Date(t).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const hasSeconds = iso.slice(17, 23) !== '00.000';
  return `${iso.slice(0, 10)} ${iso.slice(11, hasSeconds ? 19 : 16)}Z`;
}

/**
 * A half-open range [start, end) for people, always with balanced brackets:
 * - both ends midnight UTC (daily data): inclusive dates, [2024-01-01, 2024-02-01) →
 *   '2024-01-01 → 2024-01-31';
 * - an end 1 ms after a whole second (an inclusive query end turned half-open inside the cache):
 *   inclusive, '2024-03-01 → 2024-06-30', '2024-01-02 14:30Z → 2024-01-02 16:00Z';
 * - an intraday start and a midnight end: through the day before the end, as a date, since that
 *   is how the user named it ('--to 2024-03-04'): '2024-03-03 15:00Z → 2024-03-04';
 * - otherwise explicitly half-open: '[2024-01-02 14:30Z, 2024-01-02 21:00Z)'.
 */
export function formatRange(range: TimeRange): string {
  const { start, end } = range;
  if (!(end > start)) return `[${formatInstant(start)}, ${formatInstant(end)})`;
  if (isMidnight(start) && isMidnight(end)) return formatInclusiveRange(start, end - DAY_MS);
  if ((end - 1) % 1000 === 0) return formatInclusiveRange(start, end - 1);
  if (isMidnight(end) && end - DAY_MS >= start) return `${formatInstant(start)} → ${formatInstant(end - DAY_MS)}`;
  return `[${formatInstant(start)}, ${formatInstant(end)})`;
}

/**
 * An inclusive range [start, end] (as getBars and prefetch reports use). Whole days
 * ([midnight, 23:59:59.999]) are shown as dates.
 */
export function formatInclusiveRange(start: number, end: number): string {
  const last = isMidnight(start) && isMidnight(end + 1) && end + 1 > start ? end + 1 - DAY_MS : end;
  if (start === last) return formatInstant(start);
  return `${formatInstant(start)} → ${formatInstant(last)}`;
}

/** Several ranges, one per line (for table cells) or joined by ', '. */
export function formatRanges(ranges: readonly TimeRange[], separator = '\n'): string {
  if (ranges.length === 0) return '–';
  return ranges.map(formatRange).join(separator);
}

/** A range as JSON: raw ms and ISO strings, saying whether `end` is included. */
export interface JsonRange {
  start: number;
  end: number;
  startIso: string;
  endIso: string;
  /** True: `end` is the last included ms (as the user gave it); false: the first ms after the range. */
  endInclusive: boolean;
}

/**
 * A half-open range [start, end) as JSON. An end 1 ms after a whole second is an inclusive end
 * (the user's `--to`, turned half-open inside the cache): it is given back as the user gave it,
 * inclusive, so no internal +1 ms appears (`…T00:00:00.001Z`).
 */
export function rangeToJson(range: TimeRange): JsonRange {
  const inclusive = range.end > range.start && (range.end - 1) % 1000 === 0;
  const end = inclusive ? range.end - 1 : range.end;
  return {
    start: range.start,
    end,
    startIso: new Date(range.start).toISOString(),
    endIso: new Date(end).toISOString(),
    endInclusive: inclusive,
  };
}

/** An inclusive range [start, end] (a query, a warm range) as JSON. */
export function inclusiveRangeToJson(start: number, end: number): JsonRange {
  return { start, end, startIso: new Date(start).toISOString(), endIso: new Date(end).toISOString(), endInclusive: true };
}

function isMidnight(t: number): boolean {
  return Number.isFinite(t) && t % DAY_MS === 0;
}
