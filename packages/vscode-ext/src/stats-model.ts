import type { CacheStats } from '@barcache/cache-core';
import { formatAgo, formatBytes, formatCount, formatPercent, mdCell } from './format.js';

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
 * Sums per-process CacheStats. Counters add up; L1 bytes/entries add up (each process has its own
 * memory); L2 bytes and series are the size of the one shared database, so the largest (freshest)
 * report wins rather than the sum. The hit rate is recomputed from the summed counts.
 */
export function sumStats(all: readonly Partial<CacheStats>[]): StatsTotals {
  const t = emptyTotals();
  for (const s of all) {
    t.requests += num(s.requests);
    t.l1.hits += num(s.l1?.hits);
    t.l1.misses += num(s.l1?.misses);
    t.l1.bytes += num(s.l1?.bytes);
    t.l1.entries += num(s.l1?.entries);
    t.l2.hits += num(s.l2?.hits);
    t.l2.misses += num(s.l2?.misses);
    t.l2.bytes = Math.max(t.l2.bytes, num(s.l2?.bytes));
    t.l2.series = Math.max(t.l2.series, num(s.l2?.series));
    t.provider.calls += num(s.provider?.calls);
    t.provider.bars += num(s.provider?.bars);
    t.provider.errors += num(s.provider?.errors);
    t.prefetch.runs += num(s.prefetch?.runs);
    t.prefetch.symbols += num(s.prefetch?.symbols);
    const lastAt = s.prefetch?.lastAt;
    if (typeof lastAt === 'number' && (t.prefetch.lastAt === undefined || lastAt > t.prefetch.lastAt)) t.prefetch.lastAt = lastAt;
  }
  t.providerCallsSaved = t.l1.hits + t.l2.hits;
  t.hitRate = t.requests > 0 ? (t.l1.hits + t.l2.hits) / t.requests : 0;
  return t;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export interface StatusBarModel {
  text: string;
  accessibilityLabel: string;
  tooltipMarkdown: string;
  /** 'idle' when no process has done anything yet, 'live' otherwise; 'error' when the snapshots could not be read. */
  state: 'idle' | 'live' | 'error';
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

/**
 * Adds two CacheStats of one process's consecutive cache sessions (the extension opens the cache
 * per command): counters add; sizes (L1 bytes/entries, L2 bytes/series) are the later session's;
 * the hit rate is recomputed; latency count adds, p50 is count-weighted, p99 and max are maxima.
 */
export function addCacheStats(a: CacheStats, b: CacheStats): CacheStats {
  const requests = a.requests + b.requests;
  const hits = a.l1.hits + b.l1.hits + a.l2.hits + b.l2.hits;
  const count = a.latency.count + b.latency.count;
  const lastAt = [a.prefetch.lastAt, b.prefetch.lastAt].filter((x): x is number => typeof x === 'number');
  return {
    requests,
    l1: { hits: a.l1.hits + b.l1.hits, misses: a.l1.misses + b.l1.misses, bytes: b.l1.bytes, entries: b.l1.entries, pinnedEntries: b.l1.pinnedEntries },
    l2: { hits: a.l2.hits + b.l2.hits, misses: a.l2.misses + b.l2.misses, bytes: b.l2.bytes, series: b.l2.series, corruptBlocks: a.l2.corruptBlocks + b.l2.corruptBlocks },
    provider: {
      calls: a.provider.calls + b.provider.calls,
      bars: a.provider.bars + b.provider.bars,
      errors: a.provider.errors + b.provider.errors,
      retries: a.provider.retries + b.provider.retries,
      droppedBars: a.provider.droppedBars + b.provider.droppedBars,
    },
    providerCallsSaved: a.providerCallsSaved + b.providerCallsSaved,
    hitRate: requests > 0 ? hits / requests : 0,
    latency: {
      count,
      p50Ms: count > 0 ? (a.latency.p50Ms * a.latency.count + b.latency.p50Ms * b.latency.count) / count : 0,
      p99Ms: Math.max(a.latency.p99Ms, b.latency.p99Ms),
      maxMs: Math.max(a.latency.maxMs, b.latency.maxMs),
    },
    prefetch: { runs: a.prefetch.runs + b.prefetch.runs, symbols: a.prefetch.symbols + b.prefetch.symbols, ...(lastAt.length > 0 ? { lastAt: Math.max(...lastAt) } : {}) },
    startedAt: Math.min(a.startedAt, b.startedAt),
  };
}
