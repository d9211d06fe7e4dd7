/**
 * What a `clear` removed, worked out from the series listing before and after. Pure.
 */
import { seriesId } from '../series-key.js';
import type { SeriesInfo, TimeRange } from '../types.js';
import { formatBytes, formatCount, formatRanges } from './format.js';
import { renderTable, sortSeries, type Column } from './tables.js';

export interface ClearedSeries {
  provider: string;
  symbol: string;
  interval: string;
  /** 'removed': the whole series is gone; 'trimmed': part of it (clear --before). */
  action: 'removed' | 'trimmed';
  bars: number;
  bytes: number;
  /** Coverage that left the ledger. */
  ranges: TimeRange[];
}

export function diffCleared(before: readonly SeriesInfo[], after: readonly SeriesInfo[]): ClearedSeries[] {
  const remaining = new Map(after.map((s) => [seriesId(s), s]));
  const out: ClearedSeries[] = [];
  for (const b of sortSeries(before)) {
    const a = remaining.get(seriesId(b));
    if (!a) {
      out.push({ ...keyOf(b), action: 'removed', bars: b.bars, bytes: b.bytes, ranges: b.covered });
      continue;
    }
    const lost = subtractRanges(b.covered, a.covered);
    const bars = Math.max(0, b.bars - a.bars);
    if (bars > 0 || lost.length > 0) {
      out.push({ ...keyOf(b), action: 'trimmed', bars, bytes: Math.max(0, b.bytes - a.bytes), ranges: lost });
    }
  }
  return out;
}

/** Parts of `a` not in `b`. Both sorted, merged, half-open. */
export function subtractRanges(a: readonly TimeRange[], b: readonly TimeRange[]): TimeRange[] {
  const out: TimeRange[] = [];
  for (const r of a) {
    let pieces: TimeRange[] = [{ start: r.start, end: r.end }];
    for (const cut of b) {
      pieces = pieces.flatMap((p) => {
        if (cut.end <= p.start || cut.start >= p.end) return [p];
        const rest: TimeRange[] = [];
        if (cut.start > p.start) rest.push({ start: p.start, end: cut.start });
        if (cut.end < p.end) rest.push({ start: cut.end, end: p.end });
        return rest;
      });
    }
    out.push(...pieces);
  }
  return out;
}

const CLEAR_COLUMNS: readonly Column[] = [
  { header: 'symbol' },
  { header: 'interval' },
  { header: 'action' },
  { header: 'ranges' },
  { header: 'bars', align: 'right' },
  { header: 'bytes', align: 'right' },
];

export function clearedText(cleared: readonly ClearedSeries[]): string {
  if (cleared.length === 0) return 'nothing matched: no series changed';
  const rows = cleared.map((c) => [
    c.symbol,
    c.interval,
    c.action,
    formatRanges(c.ranges),
    formatCount(c.bars),
    formatBytes(c.bytes),
  ]);
  const bars = cleared.reduce((s, c) => s + c.bars, 0);
  const bytes = cleared.reduce((s, c) => s + c.bytes, 0);
  const removed = cleared.filter((c) => c.action === 'removed').length;
  const trimmed = cleared.length - removed;
  const summary = [
    removed ? `${removed} series removed` : '',
    trimmed ? `${trimmed} series trimmed` : '',
    `${formatCount(bars)} bars`,
    `${formatBytes(bytes)} freed`,
  ]
    .filter(Boolean)
    .join(', ');
  return `${renderTable(CLEAR_COLUMNS, rows)}\n${summary}`;
}

function keyOf(s: SeriesInfo): Pick<ClearedSeries, 'provider' | 'symbol' | 'interval'> {
  return { provider: s.provider, symbol: s.symbol, interval: s.interval };
}
