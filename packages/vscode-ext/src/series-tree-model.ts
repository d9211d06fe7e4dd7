import type { Interval, SeriesInfo } from '@barcache/cache-core';
import { formatAgo, formatBytes, formatCount, formatRange, formatTime } from './format.js';
import { INTERVAL_LIST } from './quick-input.js';

/** The tree of cached series, as plain data: symbol → interval → covered ranges. */
export type SeriesNode = SymbolNode | IntervalNode | RangeNode | MessageNode;

export interface SymbolNode {
  kind: 'symbol';
  id: string;
  symbol: string;
  label: string;
  description: string;
  tooltip: string;
  children: IntervalNode[];
}

export interface IntervalNode {
  kind: 'series';
  id: string;
  symbol: string;
  interval: Interval;
  provider: string;
  label: string;
  description: string;
  tooltip: string;
  children: RangeNode[];
}

export interface RangeNode {
  kind: 'range';
  id: string;
  label: string;
  description: string;
}

export interface MessageNode {
  kind: 'message';
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
}

const DAILY = new Set<Interval>(['1d', '5d', '1wk', '1mo', '3mo']);

export function buildSeriesTree(series: readonly SeriesInfo[], now: number): SymbolNode[] {
  const bySymbol = new Map<string, SeriesInfo[]>();
  for (const s of series) {
    const list = bySymbol.get(s.symbol) ?? [];
    list.push(s);
    bySymbol.set(s.symbol, list);
  }
  const providers = new Set(series.map((s) => s.provider));
  const showProvider = providers.size > 1;
  const symbols = [...bySymbol.keys()].sort();
  return symbols.map((symbol) => {
    const list = (bySymbol.get(symbol) ?? []).sort(
      (a, b) => INTERVAL_LIST.indexOf(a.interval) - INTERVAL_LIST.indexOf(b.interval) || a.provider.localeCompare(b.provider),
    );
    const bytes = list.reduce((n, s) => n + s.bytes, 0);
    const bars = list.reduce((n, s) => n + s.bars, 0);
    const children = list.map((s) => seriesNode(s, now, showProvider));
    return {
      kind: 'symbol' as const,
      id: `sym:${symbol}`,
      symbol,
      label: symbol,
      description: `${list.length} ${list.length === 1 ? 'interval' : 'intervals'} · ${formatCount(bars)} bars · ${formatBytes(bytes)}`,
      tooltip: `${symbol}: ${list.map((s) => s.interval).join(', ')} — ${bars} bars, ${formatBytes(bytes)} on disk`,
      children,
    };
  });
}

function seriesNode(s: SeriesInfo, now: number, showProvider: boolean): IntervalNode {
  const daily = DAILY.has(s.interval);
  const fetched = s.lastFetchedAt !== undefined ? `fetched ${formatAgo(s.lastFetchedAt, now)}` : 'never fetched';
  const tooltip = [
    `${s.symbol} ${s.interval} (${s.provider})`,
    `${s.bars} bars, ${formatBytes(s.bytes)} on disk`,
    s.firstBar !== undefined && s.lastBar !== undefined ? `bars ${formatTime(s.firstBar)} → ${formatTime(s.lastBar)}` : 'no bars',
    `${s.covered.length} covered ${s.covered.length === 1 ? 'range' : 'ranges'}`,
    s.lastFetchedAt !== undefined ? `last fetched ${new Date(s.lastFetchedAt).toISOString()}` : 'never fetched',
    s.lastAccessAt !== undefined ? `last used ${new Date(s.lastAccessAt).toISOString()}` : undefined,
  ]
    .filter((l): l is string => l !== undefined)
    .join('\n');
  const id = `ser:${s.provider}:${s.symbol}:${s.interval}`;
  return {
    kind: 'series',
    id,
    symbol: s.symbol,
    interval: s.interval,
    provider: s.provider,
    // Imported files (provider 'file' or a name of their own) are always labelled, never taken for Yahoo's.
    label: showProvider || s.provider !== 'yahoo' ? `${s.interval} (${s.provider})` : s.interval,
    description: `${formatCount(s.bars)} bars · ${formatBytes(s.bytes)} · ${fetched}`,
    tooltip,
    children: s.covered.map((r, i) => ({
      kind: 'range' as const,
      id: `${id}:${i}`,
      label: formatRange(r, daily),
      description: daily ? `${Math.round((r.end - r.start) / 86_400_000)} days` : `${Math.round((r.end - r.start) / 3_600_000)} h`,
    })),
  };
}
