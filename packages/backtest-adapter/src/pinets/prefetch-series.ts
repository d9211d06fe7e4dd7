import { BarcacheError, ErrorCode } from '@barcache/cache-core';
import type { BarCache, Interval, PrefetchReport, PrefetchSession } from '@barcache/cache-core';
import { formatTime as iso } from '@barcache/cache-core';
import type { PlannedSeries } from './plan.js';

/**
 * The one place the Pine plugin calls `cache.prefetch` and releases its sessions. A plan's series are
 * grouped by interval (and lookback), one prefetch per group, all in flight at once: one planned
 * pass. A failed symbol becomes an error naming the script's calls that read it.
 */
export interface PrefetchedSeries {
  readonly reports: readonly PrefetchReport[];
  /** `symbol|interval` of optional series (`ignore_invalid_symbol = true`) the provider does not know: served as no bars. */
  readonly unknown: ReadonlySet<string>;
  /** Unpins every series of the pass (they stay cached). Idempotent. */
  release(): void;
}

interface Group {
  interval: Interval;
  lookbackBars: number;
  start: number;
  end: number;
  series: PlannedSeries[];
}

function groupSeries(series: readonly PlannedSeries[]): Group[] {
  const groups = new Map<string, Group>();
  for (const s of series) {
    const key = `${s.interval}|${s.lookbackBars}`;
    const g = groups.get(key);
    if (g) {
      g.start = Math.min(g.start, s.start);
      g.end = Math.max(g.end, s.end);
      g.series.push(s);
    } else {
      groups.set(key, { interval: s.interval, lookbackBars: s.lookbackBars, start: s.start, end: s.end, series: [s] });
    }
  }
  return [...groups.values()];
}

function failure(s: PlannedSeries, error: { code: string; message: string } | undefined, cause?: unknown): BarcacheError {
  const known = new Set<string>(Object.values(ErrorCode));
  const code = error && known.has(error.code) ? (error.code as ErrorCode) : ErrorCode.PROVIDER_FAILED;
  const readers = s.readers.join(' and ');
  return new BarcacheError(
    code,
    `${readers} reads ${s.symbol} ${s.interval} ${iso(s.start)}..${iso(s.end)}, which could not be loaded (${code}: ${error?.message ?? 'failed'}). Nothing ran; bars already cached are kept.`,
    { details: { call: s.readers[0], readers: s.readers, symbol: s.symbol, interval: s.interval, start: s.start, end: s.end }, ...(cause !== undefined && { cause }) },
  );
}

/** Prefetches every planned series; on any failure releases what was pinned and throws (see `failure`). */
export async function prefetchSeries(cache: BarCache, series: readonly PlannedSeries[], signal?: AbortSignal): Promise<PrefetchedSeries> {
  const groups = groupSeries(series);
  const settled = await Promise.allSettled(
    groups.map((g) =>
      cache.prefetch({
        symbols: [...new Set(g.series.map((s) => s.symbol))],
        interval: g.interval,
        start: g.start,
        end: g.end,
        ...(g.lookbackBars > 0 && { lookback: { bars: g.lookbackBars } }),
        ...(signal && { signal }),
      }),
    ),
  );
  const sessions: PrefetchSession[] = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const release = () => {
    for (const session of sessions) session.release();
  };
  const errors: BarcacheError[] = [];
  const unknown = new Set<string>();
  settled.forEach((r, i) => {
    const group = groups[i]!;
    if (r.status === 'rejected') {
      const e = r.reason;
      if (e instanceof BarcacheError && (e.code === ErrorCode.CLOSED || e.code === ErrorCode.ABORTED || e.code === ErrorCode.INVALID_ARGUMENT)) errors.push(e);
      else errors.push(failure(group.series[0]!, e instanceof BarcacheError ? e : undefined, e));
      return;
    }
    const report = r.value.report;
    for (const s of group.series) {
      const sym = report.symbols.find((x) => x.symbol === s.symbol);
      if (!report.failed.includes(s.symbol) && !sym?.error) continue;
      if (s.optional && sym?.error?.code === ErrorCode.UNKNOWN_SYMBOL) unknown.add(`${s.symbol}|${s.interval}`);
      else errors.push(failure(s, sym?.error));
    }
  });
  if (errors.length > 0) {
    release();
    const first = errors[0]!;
    if (errors.length === 1) throw first;
    throw new BarcacheError(first.code, `${errors.length} series could not be loaded: ${errors.map((e) => e.message).join(' | ')}`, {
      details: { ...first.details, failed: errors.map((e) => ({ code: e.code, ...e.details })) },
      cause: first,
    });
  }
  return {
    reports: sessions.map((session) => session.report),
    unknown,
    release,
  };
}
