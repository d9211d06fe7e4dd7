import type { Interval, ProviderLimits, TimeRange } from '../types.js';
import { latestBarEnd, reachableFrom } from './gap-planner.js';

/**
 * The earliest bar time asked of a provider that does not say otherwise (`limits.earliestTime`):
 * 1900-01-01 UTC, where Yahoo's own 'max' range starts. A query starting earlier (Date's minimum,
 * -8.64e15) is served from here: range arithmetic stays finite and requests stay sane.
 */
export const DEFAULT_EARLIEST_TIME = Date.UTC(1900, 0, 1);

export function earliestTime(limits: Pick<ProviderLimits, 'earliestTime'> | undefined): number {
  return limits?.earliestTime ?? DEFAULT_EARLIEST_TIME;
}

/**
 * The span the provider serves for a series at `now`, half-open: from the latest of its earliest
 * time, its history window for the interval (`now − maxAgeMs`) and the symbol's first trade (when
 * known), to the end of the latest bar slot that can exist now. Pure.
 */
export function servedSpan(
  interval: Interval,
  now: number,
  limits: Pick<ProviderLimits, 'maxAgeMs' | 'earliestTime'> | undefined,
  firstTradeTime?: number,
): TimeRange {
  const start = Math.max(earliestTime(limits), reachableFrom(interval, now, limits), firstTradeTime ?? -Infinity);
  return { start, end: latestBarEnd(interval, now) };
}

/**
 * True when no part of `want` can hold bars the provider serves: entirely in the future, entirely
 * before the earliest time, or entirely before the symbol's first trade. (A range partly older than
 * the history window is caught by the gap planner's `unreachable`.)
 */
export function entirelyUnserved(
  interval: Interval,
  want: TimeRange,
  now: number,
  limits: Pick<ProviderLimits, 'earliestTime'> | undefined,
  firstTradeTime?: number,
): boolean {
  const start = Math.max(earliestTime(limits), firstTradeTime ?? -Infinity);
  return want.end <= start || want.start >= latestBarEnd(interval, now);
}
