import { intersectRanges, normalizeRanges } from '../planning/ranges.js';
import type { TimeRange } from '../types.js';

/** A failed refresh of stored, still-revisable bars: served stale until `retryAt`. */
export interface StaleRefresh {
  ranges: TimeRange[];
  error: { code: string; message: string };
  retryAt: number;
}

/**
 * Stale if error: per series, the ranges whose refresh failed and when to try again. While the
 * retry time has not come, those ranges are served from the stored bars without asking the
 * provider (marked stale); after it, the next read asks again. In memory: a new process retries.
 */
export class StaleRefreshes {
  readonly #byId = new Map<string, StaleRefresh>();

  record(id: string, ranges: readonly TimeRange[], error: StaleRefresh['error'], retryAt: number): void {
    const known = this.#byId.get(id);
    const all = normalizeRanges([...(known?.ranges ?? []), ...ranges]);
    this.#byId.set(id, { ranges: all, error, retryAt });
  }

  /** The stale ranges of the series still inside their retry delay at `now` (none after it). */
  active(id: string, now: number): StaleRefresh | undefined {
    const s = this.#byId.get(id);
    if (s === undefined) return undefined;
    if (now >= s.retryAt) return undefined;
    return s;
  }

  /** The stale ranges overlapping `range` (while active). */
  within(id: string, range: TimeRange, now: number): TimeRange[] {
    const s = this.active(id, now);
    return s === undefined ? [] : intersectRanges(s.ranges, [range]);
  }

  /** A refresh of `range` succeeded: it is no longer stale. */
  refreshed(id: string): void {
    this.#byId.delete(id);
  }

  delete(id: string): void {
    this.#byId.delete(id);
  }
}
