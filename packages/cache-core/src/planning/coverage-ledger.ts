import type { TimeRange } from '../types.js';

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
