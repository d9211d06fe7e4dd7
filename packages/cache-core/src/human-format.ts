/**
 * Figures for people, one source for the CLI and the VS Code extension: bytes, counts,
 * percentages, durations and "ago". Pure and locale-independent (the output does not depend on
 * the machine), no clock: `now` is an argument.
 */

import { DAY_MS } from './intervals.js';

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

/** 1234567 → '1,234,567'. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const sign = n < 0 ? '-' : '';
  const [int, frac] = Math.abs(n).toString().split('.');
  const grouped = (int ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${frac}`;
}

/** For tight spaces (a status bar): 950 → '950', 1234 → '1.2k', 123456 → '123k', 1_250_000 → '1.3M'. */
export function formatCompactCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  for (const [size, suffix] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (abs >= size) {
      const v = n / size;
      return `${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, '')}${suffix}`;
    }
  }
  return String(n);
}

/**
 * A ratio in [0, 1] as a percentage with `digits` decimals (default 1): 0.9876 → '98.8%'.
 * `undefined` (no requests) → '–'. Never a false '100%' or '0%': 0.99999 shows as '99.9%'
 * ('99%' with 0 digits), 0.00001 as '0.1%'. Clamped to [0, 1].
 */
export function formatPercent(ratio: number | undefined, digits = 1): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '–';
  const r = Math.min(1, Math.max(0, ratio));
  const step = 10 ** -digits;
  let pct = Number((r * 100).toFixed(digits));
  if (pct >= 100 && r < 1) pct = 100 - step;
  if (pct <= 0 && r > 0) pct = step;
  return `${pct.toFixed(digits)}%`;
}

/**
 * A duration: '0.42 ms', '12 ms', '1.5 s', '2m 05s', '1h 02m'. Sub-millisecond values keep two
 * decimals so that L1 latencies stay readable.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  const totalMinutes = Math.round(ms / 60_000);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/**
 * A moment relative to `now`: 'just now', '42 s ago', '5 min ago', '3 h ago' (under two days),
 * '3 days ago' (under 30), else its date 'YYYY-MM-DD'. A moment in the future: 'just now' within
 * a minute (clocks differ between processes), else its date.
 */
export function formatAgo(t: number | undefined, now: number): string {
  if (t === undefined || !Number.isFinite(t)) return '–';
  const d = now - t;
  if (d < -60_000 || d >= 30 * DAY_MS) return new Date(t).toISOString().slice(0, 10);
  if (d < 5_000) return 'just now';
  if (d < 60_000) return `${Math.floor(d / 1000)} s ago`;
  if (d < 3_600_000) return `${Math.floor(d / 60_000)} min ago`;
  if (d < 2 * DAY_MS) return `${Math.floor(d / 3_600_000)} h ago`;
  const days = Math.floor(d / DAY_MS);
  return `${days} days ago`;
}
