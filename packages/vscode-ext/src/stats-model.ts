import { combineStats, emptyCacheStats, type CacheStats, type RunRecord, type SharedTierStats } from '@barcache/cache-core';
import { formatAgo, formatBytes, formatCount, formatPercent, mdCell } from './format.js';
import { completeShared, sharedStatusText, sharedStatusWords, sharedTooltipLines } from './shared-tier-view.js';

/**
 * What the status bar, its tooltip and the stats view show: the stats of every live process using
 * the cache dir (read from `<dir>/stats/<pid>.json` snapshots and summed), plus the last warm this
 * extension ran. Plain data, so it is computed and tested without VS Code.
 */
export interface StatsView {
  dir: string;
  /** When the snapshots were read (epoch ms). */
  readAt: number;
  processes: ProcessView[];
  totals: StatsTotals;
  offline: boolean;
  lastWarm?: LastWarm;
  /** Set when the snapshots could not be read (the folder is unreadable, say). */
  error?: string;
}

export interface ProcessView {
  pid: number;
  hostname: string;
  label: string;
  updatedAt: number;
  closed: boolean;
  requests: number;
  hitRate: number;
}

/** The subset of CacheStats summed over processes. */
export interface StatsTotals {
  requests: number;
  l1: { hits: number; misses: number; bytes: number; entries: number };
  l2: { hits: number; misses: number; bytes: number; series: number };
  provider: { calls: number; bars: number; errors: number };
  providerCallsSaved: number;
  hitRate: number;
  prefetch: { runs: number; symbols: number; lastAt?: number };
  /** The shared team tier (Redis), when a process using the dir has one: summed, faulted if any process is. */
  shared?: SharedTierStats;
}

export interface LastWarm {
  at: number;
  symbols: number;
  failed: number;
  interval: string;
  providerCalls: number;
  barsFetched: number;
  elapsedMs: number;
  cancelled?: boolean;
}

export function emptyTotals(): StatsTotals {
  return {
    requests: 0,
    l1: { hits: 0, misses: 0, bytes: 0, entries: 0 },
    l2: { hits: 0, misses: 0, bytes: 0, series: 0 },
    provider: { calls: 0, bars: 0, errors: 0 },
    providerCallsSaved: 0,
    hitRate: 0,
    prefetch: { runs: 0, symbols: 0 },
  };
}

/**
 * Sums per-process CacheStats by cache-core's one rule (combineStats): counters add up, L1 sizes
 * are per process, the L2 size is the one shared database's latest report (the later entry here),
 * the hit rate is recomputed. Missing or non-numeric fields count as 0.
 */
export function sumStats(all: readonly Partial<CacheStats>[]): StatsTotals {
  const sum = combineStats(all.map((s, i) => ({ stats: complete(s), at: i })));
  return {
    requests: sum.requests,
    l1: { hits: sum.l1.hits, misses: sum.l1.misses, bytes: sum.l1.bytes, entries: sum.l1.entries },
    l2: { hits: sum.l2.hits, misses: sum.l2.misses, bytes: sum.l2.bytes, series: sum.l2.series },
    provider: { calls: sum.provider.calls, bars: sum.provider.bars, errors: sum.provider.errors },
    providerCallsSaved: sum.l1.hits + sum.l2.hits,
    hitRate: sum.hitRate,
    prefetch: { runs: sum.prefetch.runs, symbols: sum.prefetch.symbols, ...(sum.prefetch.lastAt !== undefined ? { lastAt: sum.prefetch.lastAt } : {}) },
    ...(sum.shared ? { shared: sum.shared } : {}),
  };
}

/** A CacheStats with every missing or non-numeric field as 0. */
function complete(s: Partial<CacheStats>): CacheStats {
  const e = emptyCacheStats(0);
  const lastAt = s.prefetch?.lastAt;
  const shared = completeShared(s.shared);
  return {
    requests: num(s.requests),
    l1: { hits: num(s.l1?.hits), misses: num(s.l1?.misses), bytes: num(s.l1?.bytes), entries: num(s.l1?.entries), pinnedEntries: num(s.l1?.pinnedEntries) },
    l2: { hits: num(s.l2?.hits), misses: num(s.l2?.misses), bytes: num(s.l2?.bytes), series: num(s.l2?.series), corruptBlocks: num(s.l2?.corruptBlocks) },
    provider: { calls: num(s.provider?.calls), bars: num(s.provider?.bars), errors: num(s.provider?.errors), retries: num(s.provider?.retries), droppedBars: num(s.provider?.droppedBars) },
    providerCallsSaved: num(s.providerCallsSaved),
    hitRate: 0,
    latency: e.latency,
    prefetch: { runs: num(s.prefetch?.runs), symbols: num(s.prefetch?.symbols), ...(typeof lastAt === 'number' && Number.isFinite(lastAt) ? { lastAt } : {}) },
    startedAt: num(s.startedAt),
    ...(shared ? { shared } : {}),
  };
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export interface StatusBarModel {
  text: string;
  accessibilityLabel: string;
  tooltipMarkdown: string;
  /**
   * 'idle' when no process has done anything yet, 'live' otherwise; 'error' when the snapshots
   * could not be read; 'warning' when the team cache (Redis) is unreachable.
   */
  state: 'idle' | 'live' | 'error' | 'warning';
}

/** The status bar item's text, accessibility label and tooltip table for a StatsView. */
export function statusBarModel(view: StatsView, now: number): StatusBarModel {
  const t = view.totals;
  const offline = view.offline ? ' $(debug-disconnect)' : '';
  const offlineWords = view.offline ? ', offline mode' : '';
  const procWords = `${view.processes.length} ${view.processes.length === 1 ? 'process' : 'processes'}`;
  let text: string;
  let label: string;
  let state: StatusBarModel['state'];
  if (view.error) {
    state = 'error';
    text = `$(database) Barcache $(warning)${offline}`;
    label = `Barcache: cannot read stats (${view.error})${offlineWords}`;
  } else if (t.requests === 0 && t.provider.calls === 0 && t.prefetch.runs === 0) {
    state = 'idle';
    text = `$(database) Barcache idle${offline}`;
    label = `Barcache: no requests yet, ${procWords}${offlineWords}`;
  } else if (t.requests === 0) {
    // Only warms so far (prefetch fills the cache but answers no getBars request).
    state = 'live';
    text = `$(database) ${formatCount(t.prefetch.symbols)} warmed · ${formatCount(t.provider.calls)} calls${offline}`;
    label =
      `Barcache: no requests yet; ${t.prefetch.symbols} series warmed with ${t.provider.calls} provider calls, ` +
      `${procWords}${offlineWords}`;
  } else {
    state = 'live';
    text = `$(database) ${formatPercent(t.hitRate)} hit · ${formatCount(t.requests)} req · ${formatCount(t.providerCallsSaved)} saved${offline}`;
    label =
      `Barcache: hit rate ${formatPercent(t.hitRate).replace('%', ' percent')}, ${t.requests} requests, ` +
      `${t.providerCallsSaved} provider calls saved, ${procWords}${offlineWords}`;
  }
  if (!view.error && t.shared) {
    text = text.slice(0, text.length - offline.length) + sharedStatusText(t.shared) + offline;
    label += sharedStatusWords(t.shared);
    if (t.shared.status === 'unavailable') state = 'warning';
  }
  return { text, accessibilityLabel: label, tooltipMarkdown: tooltipMarkdown(view, now), state };
}

/** The tooltip: a table per tier (hits, misses, bytes), the processes, and the last warm. */
export function tooltipMarkdown(view: StatsView, now: number): string {
  const t = view.totals;
  const lines: string[] = [];
  lines.push(`**Barcache** — ${formatPercent(t.hitRate)} hit rate over ${formatCount(t.requests)} requests${view.offline ? ' (offline mode)' : ''}`);
  lines.push('');
  lines.push('| Tier | Hits | Misses | Bytes |');
  lines.push('|:--|--:|--:|--:|');
  lines.push(`| Memory (L1) | ${t.l1.hits} | ${t.l1.misses} | ${formatBytes(t.l1.bytes)} |`);
  lines.push(`| Disk (L2) | ${t.l2.hits} | ${t.l2.misses} | ${formatBytes(t.l2.bytes)} |`);
  lines.push(`| Provider | ${t.provider.calls} calls | ${t.provider.errors} errors | ${formatCount(t.provider.bars)} bars |`);
  const shared = sharedTooltipLines(t.shared, now);
  if (shared.length > 0) {
    // The team row belongs in the table, before the provider's.
    lines.splice(lines.length - 1, 0, shared[0]!);
    lines.push(...shared.slice(1));
  }
  lines.push('');
  lines.push(`Provider calls saved: **${t.providerCallsSaved}**`);
  lines.push('');
  if (view.processes.length === 0) {
    lines.push('No process is using the cache right now.');
  } else {
    const procs = view.processes
      .map((p) => `${mdCell(p.label || 'process')} (pid ${p.pid}${p.closed ? ', closed' : ''}): ${p.requests} req, ${formatPercent(p.hitRate)}`)
      .join('  \n');
    lines.push(`Processes:  \n${procs}`);
  }
  lines.push('');
  lines.push(`Last warm: ${lastWarmText(view.lastWarm, t.prefetch.lastAt, now)}`);
  if (view.error) {
    lines.push('');
    lines.push(`$(warning) ${mdCell(view.error)}`);
  }
  lines.push('');
  lines.push(`Cache: \`${view.dir.replace(/`/g, "'")}\` — click for stats`);
  return lines.join('\n');
}

export function lastWarmText(last: LastWarm | undefined, otherLastAt: number | undefined, now: number): string {
  if (last && (otherLastAt === undefined || last.at >= otherLastAt)) {
    const what = `${last.symbols} ${last.symbols === 1 ? 'symbol' : 'symbols'} ${last.interval}`;
    const failed = last.failed > 0 ? `, ${last.failed} failed` : '';
    const cancelled = last.cancelled ? ', cancelled' : '';
    return `${what}, ${last.providerCalls} provider calls, ${formatCount(last.barsFetched)} bars fetched${failed}${cancelled} (${formatAgo(last.at, now)})`;
  }
  if (otherLastAt !== undefined) return `by another process, ${formatAgo(otherLastAt, now)}`;
  return 'never';
}

/** Two consecutive cache sessions of one process as one (cache-core's one rule). */
export { addCacheStats } from '@barcache/cache-core';

/** One finished run from the cache dir's run history, as the stats view lists it. */
export interface RunView {
  label: string;
  pid: number;
  endedAt: number;
  requests: number;
  hitRate: number;
  providerCalls: number;
  providerErrors: number;
  barsFetched: number;
}

/** The run history (newest first) as the stats view shows it. */
export function runViews(runs: readonly RunRecord[]): RunView[] {
  return runs.map((r) => ({
    label: r.label,
    pid: r.pid,
    endedAt: r.endedAt,
    requests: r.stats.requests,
    hitRate: r.stats.hitRate,
    providerCalls: r.stats.provider.calls,
    providerErrors: r.stats.provider.errors,
    barsFetched: r.stats.provider.bars,
  }));
}
