/**
 * Pure formatting for the CLI: bytes, durations, counts, rates, times and ranges.
 * No I/O, no clock: everything the output depends on is an argument.
 */
import { formatTime } from '../time-input.js';
import type { TimeRange } from '../types.js';

const DAY_MS = 86_400_000;
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 0 → '0 B', 1536 → '1.5 KiB', 10 MiB → '10.0 MiB'. Binary units; one decimal above bytes. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${sign}${Math.round(value)} B`;
  // 1023.96 KiB would print as '1024.0 KiB': carry into the next unit instead.
  if (Number(value.toFixed(1)) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${sign}${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/**
 * A duration for people: '0.42 ms', '12 ms', '1.5 s', '2m 05s', '1h 02m'.
 * Sub-millisecond values keep two decimals so that L1 latencies stay readable.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    const s = totalSeconds % 60;
    return `${m}m ${String(s).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.round(ms / 60_000);
  const h = Math.floor(totalMinutes / 60);
  const m = totalMinutes % 60;
  return `${h}h ${String(m).padStart(2, '0')}m`;
}

/** 1234567 → '1,234,567' (locale-independent, so output and tests do not depend on the machine). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const sign = n < 0 ? '-' : '';
  const [int, frac] = Math.abs(n).toString().split('.');
  const grouped = (int ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${frac}`;
}

/** A ratio in [0, 1] as a percentage: 0.9876 → '98.8%'. `undefined` (no requests) → '–'. */
export function formatPercent(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '–';
  return `${(ratio * 100).toFixed(1)}%`;
}

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
 * A moment relative to `now`: 'just now', '5 min ago', '3 h ago', '2 days ago', else the date.
 */
export function formatAgo(t: number | undefined, now: number): string {
  if (t === undefined || !Number.isFinite(t)) return '–';
  const d = now - t;
  if (d < 0) return formatInstant(t);
  if (d < 60_000) return 'just now';
  if (d < 3_600_000) return `${Math.floor(d / 60_000)} min ago`;
  if (d < DAY_MS) return `${Math.floor(d / 3_600_000)} h ago`;
  if (d < 30 * DAY_MS) {
    const days = Math.floor(d / DAY_MS);
    return `${days} day${days === 1 ? '' : 's'} ago`;
  }
  return new Date(t).toISOString().slice(0, 10);
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
