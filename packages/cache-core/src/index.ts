// The public API of @barcache/cache-core. Internals (planning, stores, codec) are reachable for
// advanced use through the names below; everything else is private to the package.
export * from './types.js';
export { BarcacheError, ErrorCode, invalidArgument, isBarcacheError } from './errors.js';
export { openCache, IN_MEMORY_DIR } from './open-cache.js';
export { defaultCacheDir } from './cache-dir.js';
export { YahooProvider } from './provider/yahoo-provider.js';
export type { YahooProviderOptions } from './provider/yahoo-provider.js';
export { YAHOO_LIMITS } from './provider/yahoo-limits.js';
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
export { lookbackStart } from './planning/lookback-span.js';
