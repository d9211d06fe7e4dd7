/** Small, locale-independent formatters for the status bar, tooltip, tree and stats view. */

/** 950 → "950", 1234 → "1.2k", 1_250_000 → "1.3M". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units) {
    if (abs >= size) {
      const v = n / size;
      const text = Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, '');
      return `${text}${suffix}`;
    }
  }
  return String(n);
}

/** 0 → "0 B", 1536 → "1.5 KiB", 5_000_000 → "4.8 MiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let unit = 'B';
  for (const u of units) {
    if (v < 1024) break;
    v /= 1024;
    unit = u;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, '')} ${unit}`;
}

/** A ratio in [0, 1] as a whole percentage: 0.874 → "87%". Values in (0.995, 1) show as "99%", never a false "100%". */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  const clamped = Math.min(1, Math.max(0, ratio));
  let pct = Math.round(clamped * 100);
  if (pct === 100 && clamped < 1) pct = 99;
  if (pct === 0 && clamped > 0) pct = 1;
  return `${pct}%`;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatAgo(then: number, now: number): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
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
