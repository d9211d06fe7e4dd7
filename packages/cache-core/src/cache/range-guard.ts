import { BarcacheError, ErrorCode } from '../errors.js';
import { entirelyUnserved, servedSpan } from '../planning/provider-range.js';
import type { SeriesKey } from '../series-key.js';
import type { SeriesMeta } from '../tiers/disk/bar-store.js';
import { formatTimeRange } from '../time-input.js';
import type { ProviderLimits, TimeRange } from '../types.js';
import { factsOf } from './series-facts.js';

/**
 * Refuses, with OUT_OF_PROVIDER_RANGE naming the span the provider serves, a range no part of
 * which the provider can serve (entirely in the future, before its earliest time, or before the
 * symbol's first trade). `query` is the caller's range, half-open, before any clamping.
 */
export function assertServed(key: SeriesKey, query: TimeRange, meta: SeriesMeta, now: number, limits: ProviderLimits | undefined): void {
  const firstTrade = factsOf(meta).firstTradeTime;
  if (entirelyUnserved(key.interval, query, now, limits, firstTrade)) {
    throw outOfProviderRange(key, query, servedSpan(key.interval, now, limits, firstTrade));
  }
}

export function outOfProviderRange(key: SeriesKey, asked: TimeRange | readonly TimeRange[], served: TimeRange): BarcacheError {
  const ranges = Array.isArray(asked) ? asked : [asked as TimeRange];
  return new BarcacheError(
    ErrorCode.OUT_OF_PROVIDER_RANGE,
    `${key.symbol} ${key.interval}: the provider does not serve ${ranges.map(formatTimeRange).join(', ')}; ` +
      `it serves ${formatTimeRange(served)} for this series`,
    { details: { symbol: key.symbol, interval: key.interval, asked: ranges, served } },
  );
}
