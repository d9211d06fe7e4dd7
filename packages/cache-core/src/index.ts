// The public API of @barcache/cache-core. Internals (planning, stores, codec) are reachable for
// advanced use through the names below; everything else is private to the package.
export * from './types.js';
export { BarcacheError, ErrorCode, invalidArgument, isBarcacheError } from './errors.js';
export { openCache, IN_MEMORY_DIR } from './open-cache.js';
export { defaultCacheDir } from './cache-dir.js';
export { YahooProvider } from './provider/yahoo-provider.js';
export type { YahooProviderOptions } from './provider/yahoo-provider.js';
export { YAHOO_LIMITS } from './provider/yahoo-limits.js';
export { rewriteYahooUrl } from './provider/yahoo-url.js';
export {
  isInterval,
  assertInterval,
  intervalStepMs,
  isDailyOrLonger,
  alignDown,
  nextBarStart,
  barEnd,
  MINUTE_MS,
  HOUR_MS,
  DAY_MS,
} from './intervals.js';
export { parseTimeInput, formatTime, normalizeSymbol } from './time-input.js';
export { BarColumns } from './bar-columns.js';
export { readStatsSnapshots, aggregateStats, StatsSnapshotWriter } from './stats/stats-snapshot.js';
export type { StatsSnapshot } from './stats/stats-snapshot.js';
export { combineStats, addCacheStats, emptyCacheStats } from './stats/stats-aggregate.js';
export type { AggregateStats, StatsPart } from './stats/stats-aggregate.js';
export { readRunHistory, sumRuns, RUN_HISTORY_SIZE } from './stats/run-history.js';
export type { RunRecord } from './stats/snapshot-schema.js';
export { formatAgo, formatBytes, formatCompactCount, formatCount, formatDuration, formatPercent } from './human-format.js';
export { FileProvider, DEFAULT_FILE_PROVIDER_NAME } from './provider/file/file-provider.js';
export type { FileProviderOptions } from './provider/file/file-provider.js';
export { parsePriceFile } from './provider/file/price-file.js';
export type { PriceFileOptions, PriceSeries } from './provider/file/price-file.js';
export { lookbackStart } from './planning/lookback-span.js';
export { repairCacheDir } from './tiers/disk/repair-entry.js';
export type { RepairOptions } from './tiers/disk/store-repair.js';
export type { UpstreamTier, UpstreamRequest, UpstreamPiece, UpstreamAnswer, UpstreamFailure } from './tiers/upstream-tier.js';
export type { HoleRecord } from './planning/known-holes.js';
export { combineSharedStats } from './stats/shared-aggregate.js';
export { ProviderTier } from './provider/provider-tier.js';
