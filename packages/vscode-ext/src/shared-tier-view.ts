import type { SharedTierStats } from '@barcache/cache-core';
import { formatAgo, formatBytes, formatCount, mdCell } from './format.js';

/**
 * The shared team tier (Redis) as the status bar, its tooltip and the stats view show it: a small
 * "team" marker with its hits, a warning when Redis is unreachable, and its figures. Pure.
 * `location` comes from the snapshots, which never hold credentials; it is scrubbed again here.
 */

/** The status bar's part: ` · $(organization) team 12` or ` · $(warning) team offline`. */
export function sharedStatusText(shared: SharedTierStats | undefined): string {
  if (!shared) return '';
  return shared.status === 'unavailable' ? ' · $(warning) team offline' : ` · $(organization) team ${formatCount(shared.hits)}`;
}

/** The words for the accessibility label. */
export function sharedStatusWords(shared: SharedTierStats | undefined): string {
  if (!shared) return '';
  return shared.status === 'unavailable'
    ? ', team cache (Redis) unreachable, carrying on without it'
    : `, team cache (Redis) ${shared.hits} ${shared.hits === 1 ? 'hit' : 'hits'}`;
}

/** The tooltip's table row and a line about the tier's state. */
export function sharedTooltipLines(shared: SharedTierStats | undefined, now: number): string[] {
  if (!shared) return [];
  const row = `| Team (Redis) | ${shared.hits} | ${shared.misses} | ${formatBytes(shared.bytesRead + shared.bytesWritten)} |`;
  return [row, '', `Team cache: ${mdCell(sharedStateText(shared, now))}`];
}

/** "redis://10.0.0.5:6379: ok, 3 leases waited, 0 faults" or "… unreachable (last fault 2 min ago: …)". */
export function sharedStateText(shared: SharedTierStats, now: number): string {
  const where = safeLocation(shared.location);
  const counts = `${formatCount(shared.leasesWaited)} leases waited, ${formatCount(shared.faults)} ${shared.faults === 1 ? 'fault' : 'faults'}`;
  if (shared.status === 'unavailable') {
    const last = shared.lastFault ? ` (last fault ${formatAgo(shared.lastFault.at, now)}: ${shared.lastFault.message})` : '';
    return `${where}: unreachable, the cache carries on with its local tiers and the provider${last}; ${counts}`;
  }
  return `${where}: ok; ${counts}`;
}

/** The notice shown once when the team cache goes from working to unreachable. */
export function sharedFaultNotice(shared: SharedTierStats): string {
  return `Barcache: the team cache (Redis at ${safeLocation(shared.location)}) is unreachable. Backtests carry on with the local cache and the provider; the status bar shows when it is back.`;
}

/**
 * Whether to tell the user: 'faulted' when the tier went from ok (or absent) to unavailable,
 * 'recovered' when it came back, undefined otherwise (said once per outage).
 */
export function sharedTransition(before: SharedTierStats | undefined, after: SharedTierStats | undefined): 'faulted' | 'recovered' | undefined {
  const was = before?.status === 'unavailable';
  const is = after?.status === 'unavailable';
  if (!was && is) return 'faulted';
  if (was && after?.status === 'ok') return 'recovered';
  return undefined;
}

/** A location with any `user:password@` removed (the snapshots already have none). */
export function safeLocation(location: string): string {
  return location.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1');
}

/** A SharedTierStats from untrusted JSON, or undefined when it is not one (fields default to 0). */
export function completeShared(value: unknown): SharedTierStats | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.location !== 'string' || (v.status !== 'ok' && v.status !== 'unavailable')) return undefined;
  const n = (k: string) => (typeof v[k] === 'number' && Number.isFinite(v[k]) ? (v[k] as number) : 0);
  const lf = v.lastFault as { message?: unknown; at?: unknown } | undefined;
  return {
    location: v.location,
    status: v.status,
    hits: n('hits'),
    misses: n('misses'),
    bytesRead: n('bytesRead'),
    bytesWritten: n('bytesWritten'),
    leasesWaited: n('leasesWaited'),
    leaseTimeouts: n('leaseTimeouts'),
    publishes: n('publishes'),
    fenced: n('fenced'),
    corrupt: n('corrupt'),
    faults: n('faults'),
    ...(lf && typeof lf.message === 'string' && typeof lf.at === 'number' ? { lastFault: { message: lf.message, at: lf.at } } : {}),
  };
}
