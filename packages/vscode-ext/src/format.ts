/** Locale-independent formatters for the status bar, tooltip, tree and stats view. */

import { formatAgo as coreAgo, formatCompactCount, formatPercent as corePercent } from '@barcache/cache-core';

// The figures come from cache-core's one formatting module (also the CLI's); the status bar uses
// the compact count and whole percentages.
export { formatBytes } from '@barcache/cache-core';

/** 950 → "950", 1234 → "1.2k", 1_250_000 → "1.3M". */
export const formatCount = formatCompactCount;

/** A ratio in [0, 1] as a whole percentage: 0.874 → "87%"; never a false "100%" or "0%". */
export function formatPercent(ratio: number): string {
  return corePercent(ratio, 0);
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "3 days ago". */
export function formatAgo(then: number, now: number): string {
  return coreAgo(then, now);
}

/** Epoch ms as 'YYYY-MM-DD' at midnight UTC, else 'YYYY-MM-DD HH:MM' (UTC). */
export function formatTime(t: number): string {
  if (!Number.isFinite(t)) return '–';
  const iso = new Date(t).toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** A half-open range [start, end) as inclusive dates for people: the last day shown is the one before `end`. */
export function formatRange(range: { start: number; end: number }, daily: boolean): string {
  const endShown = daily ? range.end - 1 : range.end;
  const a = daily ? formatTime(startOfUtcDay(range.start)) : formatTime(range.start);
  const b = daily ? formatTime(startOfUtcDay(endShown)) : formatTime(endShown);
  return a === b ? a : `${a} → ${b}`;
}

/** Epoch ms → 'YYYY-MM-DD' (UTC date). */
export function isoDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

export function startOfUtcDay(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** Escapes a value for a Markdown table cell. */
export function mdCell(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
