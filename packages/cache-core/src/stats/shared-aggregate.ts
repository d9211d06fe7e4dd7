import type { SharedTierStats } from '../tiers/shared/shared-counters.js';

/** One process's shared-tier figures, with who reported them and when (see combineStats). */
export interface SharedStatsPart {
  shared: SharedTierStats;
  /** Which process reported them. */
  process: string;
  /** When; the latest report of a process decides its current state. */
  at: number;
}

const COUNTERS = ['hits', 'misses', 'bytesRead', 'bytesWritten', 'leasesWaited', 'leaseTimeouts', 'publishes', 'fenced', 'corrupt', 'faults'] as const;

/**
 * The shared team tier over several processes (or consecutive sessions of one):
 * - counters add up (hits, misses, bytes, leases waited, faults…);
 * - the tier is `unavailable` when any process's LATEST report says so (a process that has since
 *   reached Redis again no longer counts as faulted), `ok` otherwise;
 * - `location` is the newest report's (processes on one dir normally share one Redis);
 * - `lastFault` is the newest fault of any report.
 * Undefined when no part has a shared tier.
 */
export function combineSharedStats(parts: readonly SharedStatsPart[]): SharedTierStats | undefined {
  if (parts.length === 0) return undefined;
  const latest = new Map<string, SharedStatsPart>();
  let newest = parts[0]!;
  const out: SharedTierStats = {
    location: '',
    status: 'ok',
    hits: 0,
    misses: 0,
    bytesRead: 0,
    bytesWritten: 0,
    leasesWaited: 0,
    leaseTimeouts: 0,
    publishes: 0,
    fenced: 0,
    corrupt: 0,
    faults: 0,
  };
  for (const part of parts) {
    const s = part.shared;
    for (const k of COUNTERS) out[k] += s[k];
    const cur = latest.get(part.process);
    if (cur === undefined || part.at >= cur.at) latest.set(part.process, part);
    if (part.at >= newest.at) newest = part;
    if (s.lastFault && (out.lastFault === undefined || s.lastFault.at >= out.lastFault.at)) out.lastFault = { ...s.lastFault };
  }
  out.location = newest.shared.location;
  if ([...latest.values()].some((p) => p.shared.status === 'unavailable')) out.status = 'unavailable';
  return out;
}
