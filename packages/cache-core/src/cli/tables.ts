/**
 * Pure table building for the CLI: data in, text out (cli-table3, no colours, so the output is
 * the same on a terminal, in a pipe and in tests).
 */
import Table from 'cli-table3';
import type { CacheStats, ExplainReport, PrefetchReport, SeriesInfo, SharedTierStats, TimeRange } from '../types.js';
import {
  formatAgo,
  formatBytes,
  formatCount,
  formatDuration,
  formatInclusiveRange,
  formatPercent,
  formatRange,
  formatRanges,
} from './format.js';

export type Align = 'left' | 'right' | 'center';

export interface Column {
  header: string;
  align?: Align;
}

/** Renders rows under a header. Cells may hold several lines. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const table = new Table({
    head: columns.map((c) => c.header),
    colAligns: columns.map((c) => c.align ?? 'left'),
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
  });
  for (const row of rows) table.push([...row]);
  return table.toString();
}

/** A two-column key/value table (no header). */
export function renderKeyValues(rows: readonly (readonly [string, string])[]): string {
  const table = new Table({ style: { head: [], border: [] }, colAligns: ['left', 'right'] });
  for (const [k, v] of rows) table.push([k, v]);
  return table.toString();
}

// ---------------------------------------------------------------------------------------------
// warm

export const WARM_COLUMNS: readonly Column[] = [
  { header: 'symbol' },
  { header: 'bars', align: 'right' },
  { header: 'range' },
  { header: 'source' },
  { header: 'provider calls', align: 'right' },
  { header: 'status' },
];

export function warmRows(report: PrefetchReport): string[][] {
  return report.symbols.map((s) => {
    const failed = s.error !== undefined;
    let status: string;
    if (failed) status = `FAILED ${s.error?.code ?? ''}`.trim();
    else {
      const notes: string[] = [];
      if (!s.lookbackSatisfied) notes.push(`short lookback: ${formatCount(s.lookbackBars)} bars`);
      if (s.windowed) notes.push('windowed');
      status = notes.length ? `ok (${notes.join(', ')})` : 'ok';
    }
    return [
      s.symbol,
      failed ? '–' : formatCount(s.bars),
      failed || !(s.end >= s.start) ? '–' : formatInclusiveRange(s.start, s.end),
      failed ? '–' : s.source,
      formatCount(s.providerCalls),
      status,
    ];
  });
}

/** The line under the warm table: totals and elapsed time. */
export function warmSummaryLine(report: PrefetchReport): string {
  const n = report.symbols.length;
  const ok = n - report.failed.length;
  const bars = report.symbols.reduce((sum, s) => sum + (s.error ? 0 : s.bars), 0);
  const parts = [
    `${ok}/${n} symbol${n === 1 ? '' : 's'} ready (${report.interval})`,
    `${formatCount(bars)} bars`,
    `${formatCount(report.providerCalls)} provider call${report.providerCalls === 1 ? '' : 's'}`,
    `${formatCount(report.barsFetched)} bars fetched`,
    formatDuration(report.elapsedMs),
  ];
  const holes = report.symbols.reduce((sum, s) => sum + (s.holes ?? 0), 0);
  if (holes > 0) parts.push(`${formatCount(holes)} bars missing (null prices)`);
  return parts.join(', ');
}

/** One line per failed symbol: `SYMBOL: CODE: message`. */
export function warmFailureLines(report: PrefetchReport): string[] {
  return report.symbols
    .filter((s) => s.error !== undefined)
    .map((s) => `${s.symbol}: ${s.error?.code ?? 'FAILED'}: ${(s.error?.message ?? '').replace(/\s*\n\s*/g, ' ')}`);
}

// ---------------------------------------------------------------------------------------------
// import

export interface ImportedSeries {
  symbol: string;
  interval: string;
  file: string;
  /** Bars in the file. */
  bars: number;
  /** Bars the cache holds for the file's span after the import (equal to `bars` when whole). */
  stored: number;
  first: number;
  last: number;
  /** Rows without prices (all `null`) that were skipped. */
  skippedRows: number;
  /** Nothing new: the cache already held this span from an earlier import. */
  alreadyCached: boolean;
}

export const IMPORT_COLUMNS: readonly Column[] = [
  { header: 'symbol' },
  { header: 'interval' },
  { header: 'bars', align: 'right' },
  { header: 'range' },
  { header: 'file' },
  { header: 'status' },
];

export function importRows(results: readonly ImportedSeries[]): string[][] {
  return results.map((r) => [
    r.symbol,
    r.interval,
    formatCount(r.bars),
    formatInclusiveRange(r.first, r.last),
    r.file,
    r.stored !== r.bars
      ? `NOT STORED WHOLE (${formatCount(r.stored)} cached)`
      : `${r.alreadyCached ? 'already cached' : 'imported'}${r.skippedRows > 0 ? ` (${formatCount(r.skippedRows)} empty rows skipped)` : ''}`,
  ]);
}

// ---------------------------------------------------------------------------------------------
// ls

export const LS_COLUMNS: readonly Column[] = [
  { header: 'symbol' },
  { header: 'interval' },
  { header: 'provider' },
  { header: 'covered' },
  { header: 'bars', align: 'right' },
  { header: 'bytes', align: 'right' },
  { header: 'last fetched' },
];

/** Series sorted by symbol, interval, provider; the provider (yahoo, file…) is always shown. */
export function lsRows(series: readonly SeriesInfo[], now: number): string[][] {
  return sortSeries(series).map((s) => [
    s.symbol,
    s.interval,
    s.provider,
    formatRanges(s.covered),
    formatCount(s.bars),
    formatBytes(s.bytes),
    formatAgo(s.lastFetchedAt, now),
  ]);
}

/**
 * The line under the ls table. `diskBytes` is the cache's one disk figure (stats().l2.bytes, what
 * `barcache stats` shows too); without it (a filtered listing) the listed series' block bytes.
 */
export function lsSummaryLine(series: readonly SeriesInfo[], diskBytes?: number): string {
  const bars = series.reduce((sum, s) => sum + s.bars, 0);
  const size = diskBytes ?? series.reduce((sum, s) => sum + s.bytes, 0);
  return `${formatCount(series.length)} series, ${formatCount(bars)} bars, ${formatBytes(size)} on disk${holesNote(series)}`;
}

/** '; 84 bars missing (null prices): 80 asked again, 4 known holes' when any series has holes. */
function holesNote(series: readonly SeriesInfo[]): string {
  const pending = series.reduce((n, s) => n + (s.holes?.pending ?? 0), 0);
  const known = series.reduce((n, s) => n + (s.holes?.known ?? 0), 0);
  if (pending + known === 0) return '';
  return `; ${formatCount(pending + known)} bars missing (null prices): ${formatCount(pending)} asked again, ${formatCount(known)} known holes`;
}

export function sortSeries<T extends { symbol: string; interval: string; provider: string }>(series: readonly T[]): T[] {
  return [...series].sort(
    (a, b) => cmp(a.symbol, b.symbol) || cmp(a.interval, b.interval) || cmp(a.provider, b.provider),
  );
}

// ---------------------------------------------------------------------------------------------
// explain

export const EXPLAIN_COLUMNS: readonly Column[] = [{ header: 'range' }, { header: 'served from' }];

const TIER_LABEL = { l1: 'l1 (memory)', l2: 'l2 (disk)', shared: 'shared (Redis)', provider: 'provider (missing)' } as const;

export function explainRows(report: ExplainReport): string[][] {
  return report.parts.map((p) => [formatRange(p.range), TIER_LABEL[p.tier]]);
}

/** The whole explain text: header, parts table, missing ranges, planned requests. */
export function explainText(
  report: ExplainReport,
  offline: boolean,
  context: { asGiven?: { from: string; to: string }; provider?: string } = {},
): string {
  const lines: string[] = [];
  const { asGiven, provider } = context;
  // The range as the user typed it (inclusive), not as the cache holds it internally.
  const range = asGiven ? (asGiven.from === asGiven.to ? asGiven.from : `${asGiven.from} → ${asGiven.to}`) : formatInclusiveRange(report.start, report.end);
  lines.push(`${report.symbol} ${report.interval} ${range}${provider ? ` (provider: ${provider})` : ''}`);
  if (report.parts.length > 0) lines.push(renderTable(EXPLAIN_COLUMNS, explainRows(report)));
  else lines.push('(no bar slots in this range)');
  lines.push(`missing: ${report.missing.length === 0 ? 'none' : formatRanges(report.missing, ', ')}`);
  if (report.plannedRequests.length === 0) {
    lines.push(
      offline && report.missing.length > 0
        ? 'provider requests: none (--offline: a getBars over the missing part fails with OFFLINE_MISS)'
        : 'provider requests: none',
    );
  } else {
    const n = report.plannedRequests.length;
    const head = offline ? `provider requests: ${n} needed, but --offline: a getBars would fail with OFFLINE_MISS` : `provider requests: ${n}`;
    lines.push(head);
    for (const r of report.plannedRequests) lines.push(`  ${formatRequest(r)}`);
  }
  if (report.holes) {
    const { pending, known } = report.holes;
    lines.push(`holes (bars sent without prices): ${pending.length} asked again after the TTL, ${known.length} known (not asked again)`);
  }
  if (report.outOfProviderRange) {
    const { ranges, served } = report.outOfProviderRange;
    lines.push(`not served by the provider: ${formatRanges(ranges, ', ')} (it serves ${formatRange(served)}; getBars fails with OUT_OF_PROVIDER_RANGE)`);
  }
  if (report.stale && report.stale.length > 0) {
    lines.push(`stale: ${formatRanges(report.stale, ', ')} (refresh failed; served from disk, retried later)`);
  }
  return lines.join('\n');
}

/** A planned provider request, [start, end) as the provider receives it. */
export function formatRequest(r: TimeRange): string {
  return `[${new Date(r.start).toISOString()}, ${new Date(r.end).toISOString()}) (${formatRange(r)})`;
}

// ---------------------------------------------------------------------------------------------
// stats

/** The figures the stats table shows; built from a CacheStats or from an aggregate of snapshots. */
export interface StatsView {
  requests: number;
  hitRate: number | undefined;
  l1: { hits: number; misses: number; bytes: number };
  l2: { hits: number; misses: number; bytes: number };
  provider: { calls: number; errors: number; bars: number };
  providerCallsSaved: number;
  latency: { p50Ms: number | undefined; p99Ms: number | undefined };
  /** The team cache (Redis), when the processes had one. */
  shared?: SharedTierStats;
}

export function statsViewOf(s: CacheStats): StatsView {
  return {
    requests: s.requests,
    hitRate: s.requests > 0 ? s.hitRate : undefined,
    l1: { hits: s.l1.hits, misses: s.l1.misses, bytes: s.l1.bytes },
    l2: { hits: s.l2.hits, misses: s.l2.misses, bytes: s.l2.bytes },
    provider: { calls: s.provider.calls, errors: s.provider.errors, bars: s.provider.bars },
    providerCallsSaved: s.providerCallsSaved,
    latency: s.latency.count > 0 ? { p50Ms: s.latency.p50Ms, p99Ms: s.latency.p99Ms } : { p50Ms: undefined, p99Ms: undefined },
    ...(s.shared ? { shared: s.shared } : {}),
  };
}

const STATS_ROWS: readonly [string, (v: StatsView) => string][] = [
  ['requests', (v) => formatCount(v.requests)],
  ['hit rate', (v) => formatPercent(v.hitRate)],
  ['L1 hits / misses', (v) => `${formatCount(v.l1.hits)} / ${formatCount(v.l1.misses)}`],
  ['L1 bytes (memory)', (v) => formatBytes(v.l1.bytes)],
  ['L2 hits / misses', (v) => `${formatCount(v.l2.hits)} / ${formatCount(v.l2.misses)}`],
  ['L2 bytes (disk)', (v) => formatBytes(v.l2.bytes)],
  ['provider calls', (v) => formatCount(v.provider.calls)],
  ['provider bars fetched', (v) => formatCount(v.provider.bars)],
  ['provider errors', (v) => formatCount(v.provider.errors)],
  ['provider calls saved', (v) => formatCount(v.providerCallsSaved)],
  ['latency p50 / p99', (v) => `${v.latency.p50Ms === undefined ? '–' : formatDuration(v.latency.p50Ms)} / ${v.latency.p99Ms === undefined ? '–' : formatDuration(v.latency.p99Ms)}`],
];

/** The team cache's rows, shown when some view had one. */
const SHARED_ROWS: readonly [string, (s: SharedTierStats) => string][] = [
  ['team (Redis) hits / misses', (s) => `${formatCount(s.hits)} / ${formatCount(s.misses)}`],
  ['team bytes read / written', (s) => `${formatBytes(s.bytesRead)} / ${formatBytes(s.bytesWritten)}`],
  ['team leases waited', (s) => formatCount(s.leasesWaited)],
  ['team faults', (s) => `${formatCount(s.faults)}${s.status === 'unavailable' ? ' (unreachable)' : ''}`],
];

/** Side-by-side figures: one column per view (e.g. 'this process', 'live processes (2)'). */
export function statsTable(views: readonly { title: string; view: StatsView | undefined }[]): string {
  const columns: Column[] = [{ header: '' }, ...views.map((v) => ({ header: v.title, align: 'right' as const }))];
  const rows = STATS_ROWS.map(([label, fmt]) => [label, ...views.map((v) => (v.view ? fmt(v.view) : '–'))]);
  if (views.some((v) => v.view?.shared)) {
    for (const [label, fmt] of SHARED_ROWS) rows.push([label, ...views.map((v) => (v.view?.shared ? fmt(v.view.shared) : '–'))]);
  }
  return renderTable(columns, rows);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// stats: the run history

/** The fields of a run record the runs table shows. */
export interface RunEntry {
  pid: number;
  label: string;
  startedAt: number;
  endedAt: number;
  stats: CacheStats;
}

export const RUN_COLUMNS: readonly Column[] = [
  { header: 'ended' },
  { header: 'run' },
  { header: 'pid', align: 'right' },
  { header: 'requests', align: 'right' },
  { header: 'hit rate', align: 'right' },
  { header: 'L1 / L2 hits', align: 'right' },
  { header: 'provider calls', align: 'right' },
  { header: 'bars fetched', align: 'right' },
  { header: 'errors', align: 'right' },
];

export function runRows(runs: readonly RunEntry[], now: number): string[][] {
  return runs.map((r) => [
    formatAgo(r.endedAt, now),
    r.label,
    String(r.pid),
    formatCount(r.stats.requests),
    formatPercent(r.stats.requests > 0 ? r.stats.hitRate : undefined),
    `${formatCount(r.stats.l1.hits)} / ${formatCount(r.stats.l2.hits)}`,
    formatCount(r.stats.provider.calls),
    formatCount(r.stats.provider.bars),
    formatCount(r.stats.provider.errors),
  ]);
}

// ---------------------------------------------------------------------------------------------
// stats: processes

/** The fields of a stats snapshot entry the process table shows. */
export interface ProcessEntry {
  state: string;
  snapshot: { pid: number; hostname: string; label: string; updatedAt: number; stats: CacheStats };
}

export const PROCESS_COLUMNS: readonly Column[] = [
  { header: 'pid', align: 'right' },
  { header: 'label' },
  { header: 'state' },
  { header: 'requests', align: 'right' },
  { header: 'hit rate', align: 'right' },
  { header: 'provider calls', align: 'right' },
  { header: 'updated' },
];

export function processRows(entries: readonly ProcessEntry[], now: number): string[][] {
  return entries.map(({ state, snapshot: s }) => [
    String(s.pid),
    s.label,
    state,
    formatCount(s.stats.requests),
    formatPercent(s.stats.requests > 0 ? s.stats.hitRate : undefined),
    formatCount(s.stats.provider.calls),
    formatAgo(s.updatedAt, now),
  ]);
}
