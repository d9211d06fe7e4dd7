import type { TimeRange } from '../types.js';
import { clipRanges, normalizeRanges, subtractRanges, unionRanges } from './ranges.js';

/** A fetched range whose bars may still change (the forming bar, the provider's settle delay). */
export interface ProvisionalRange extends TimeRange {
  fetchedAt: number;
}

/**
 * The coverage ledger of one series: which time ranges have been fetched. A weekend, holiday or
 * halt inside a fetched range is covered: it has no bars and never will. Only ranges nobody
 * fetched are gaps. Ranges are half-open [start, end), sorted, merged, non-overlapping.
 */
export interface Ledger {
  /** Fetched, and every bar in them is final (immutable until a corporate action). */
  final: TimeRange[];
  /** Fetched, but may still change: served until `fetchedAt + ttl`, then refetched. */
  provisional: ProvisionalRange[];
}

export const EMPTY_LEDGER: Ledger = Object.freeze({ final: [], provisional: [] }) as Ledger;

/**
 * The coverage that can be served without asking the provider at `now`: every final range, plus
 * the provisional ranges still inside their TTL (`fetchedAt + ttlMs > now`). Normalised.
 */
export function freshCoverage(ledger: Ledger, now: number, ttlMs: number): TimeRange[] {
  const fresh: TimeRange[] = [...ledger.final];
  for (const p of ledger.provisional) if (p.fetchedAt + ttlMs > now) fresh.push(p);
  return normalizeRanges(fresh);
}

/** Everything fetched, final or provisional (fresh or not), for display. Normalised. */
export function ledgerCovered(ledger: Ledger): TimeRange[] {
  return normalizeRanges([...ledger.final, ...ledger.provisional]);
}

/**
 * Records that `fetched` was fetched at `now`. The part before `finalBefore` (see
 * finality.ts `finalBefore`) joins `final`; the rest becomes provisional with `fetchedAt = now`,
 * replacing the overlapping parts of older provisional entries (their non-overlapping parts keep
 * their own `fetchedAt`). A provisional range never overlaps a final one: final wins.
 * Returns a new ledger; the input is not changed.
 */
export function recordFetch(ledger: Ledger, fetched: TimeRange, finalBefore: number, now: number): Ledger {
  if (!(fetched.start < fetched.end)) return copyLedger(ledger);
  const finalPart = clipRanges([fetched], { start: -Infinity, end: finalBefore });
  const provPart = clipRanges([fetched], { start: finalBefore, end: Infinity });
  const final = unionRanges(ledger.final, finalPart);
  const older = subtractProvisional(ledger.provisional, [...final, ...provPart]);
  const fresh = subtractRanges(provPart, final).map((r) => ({ start: r.start, end: r.end, fetchedAt: now }));
  return { final, provisional: normalizeProvisional([...older, ...fresh]) };
}

/**
 * Removes `range` (or several ranges) from the ledger, final and provisional alike: a corrupt
 * block's range, `clear --before` (`{ start: -Infinity, end: before }`), or bars that a new split
 * made stale. Returns a new ledger.
 */
export function dropFromLedger(ledger: Ledger, range: TimeRange | readonly TimeRange[]): Ledger {
  const cut: readonly TimeRange[] = isRangeList(range) ? range : [range];
  return {
    final: subtractRanges(ledger.final, cut),
    provisional: subtractProvisional(ledger.provisional, cut),
  };
}

/**
 * Forgets provisional ranges past their TTL (`fetchedAt + ttlMs <= now`): they are gaps again
 * anyway. Optional housekeeping before writing a ledger back; freshCoverage already ignores them.
 */
export function expireProvisional(ledger: Ledger, now: number, ttlMs: number): Ledger {
  return {
    final: ledger.final.map((r) => ({ start: r.start, end: r.end })),
    provisional: ledger.provisional.filter((p) => p.fetchedAt + ttlMs > now).map((p) => ({ ...p })),
  };
}

/**
 * Brings a ledger read from storage (or built by hand) into canonical form: final normalised,
 * provisional sorted, non-overlapping (the newest fetch wins where two overlap) and outside final.
 */
export function normalizeLedger(ledger: Ledger): Ledger {
  const final = normalizeRanges(ledger.final);
  // Newest first: each entry keeps only what no newer entry (and no final range) claims.
  const byAge = [...ledger.provisional].filter((p) => p.start < p.end).sort((a, b) => b.fetchedAt - a.fetchedAt);
  const claimed: TimeRange[] = [...final];
  const kept: ProvisionalRange[] = [];
  for (const p of byAge) {
    for (const r of subtractRanges([p], claimed)) kept.push({ start: r.start, end: r.end, fetchedAt: p.fetchedAt });
    claimed.push({ start: p.start, end: p.end });
  }
  return { final, provisional: normalizeProvisional(kept) };
}

function copyLedger(ledger: Ledger): Ledger {
  return {
    final: ledger.final.map((r) => ({ start: r.start, end: r.end })),
    provisional: ledger.provisional.map((p) => ({ start: p.start, end: p.end, fetchedAt: p.fetchedAt })),
  };
}

function isRangeList(x: TimeRange | readonly TimeRange[]): x is readonly TimeRange[] {
  return Array.isArray(x);
}

/** Each provisional entry minus `cut`, keeping its fetchedAt. */
function subtractProvisional(ps: readonly ProvisionalRange[], cut: readonly TimeRange[]): ProvisionalRange[] {
  const out: ProvisionalRange[] = [];
  for (const p of ps) {
    for (const r of subtractRanges([p], cut)) out.push({ start: r.start, end: r.end, fetchedAt: p.fetchedAt });
  }
  return normalizeProvisional(out);
}

/** Sorts non-overlapping provisional entries and merges touching ones with the same fetchedAt. */
function normalizeProvisional(ps: readonly ProvisionalRange[]): ProvisionalRange[] {
  const sorted = ps.filter((p) => p.start < p.end).sort((a, b) => a.start - b.start);
  const out: ProvisionalRange[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && last.end === p.start && last.fetchedAt === p.fetchedAt) last.end = p.end;
    else out.push({ start: p.start, end: p.end, fetchedAt: p.fetchedAt });
  }
  return out;
}
