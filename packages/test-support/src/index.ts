/**
 * @barcache/test-support — shared test helpers. Nothing here imports a test runner (the vitest
 * helpers live in './vitest.js', exported as '@barcache/test-support/vitest'), so the demo can use
 * the loopback server and the synthetic generators too. All data here is LOCAL and MADE UP.
 */
export {
  DAY_MS,
  easterSunday,
  holidayName,
  isTradingDay,
  tradingDays,
  tradingDaysBefore,
  usMarketHolidays,
  type MarketHoliday,
} from './trading-calendar.js';
export {
  ADJUSTED_AS_OF,
  aggregateDailyBars,
  dividendFactor,
  hashString,
  isIntradayInterval,
  mulberry32,
  syntheticBars,
  syntheticDailyBar,
  syntheticDailyBars,
  syntheticIntradayBars,
  syntheticStepMs,
  toEpochMs,
  yahooPrice,
  type DateLike,
  type SyntheticBarsOptions,
  type SyntheticDailyOptions,
  type SyntheticIntradayOptions,
} from './synthetic-bars.js';
export { rewriteYahooUrl } from '@barcache/cache-core';
export { atLocalTime, localDateMs, shortZoneName, tzOffsetMs, zonedParts, zonedTimeToUtc } from './time-zones.js';
export {
  YAHOO_NOT_FOUND_BODY,
  fetchVia,
  startYahooChartServer,
  type BarSource,
  type ChartFault,
  type RecordedRequest,
  type SymbolConfig,
  type YahooChartServer,
  type YahooChartServerOptions,
} from './yahoo-chart-server.js';
export { FIXTURES_DIR, fixturePath, listFixtures, loadFixture } from './fixtures.js';
export {
  FAST_TEST_PROVIDER,
  startCacheOnServer,
  type CacheOnServer,
  type CacheOnServerOptions,
  type TestProviderOptions,
} from './cache-on-server.js';
export { makeTempDir, useTempDir, withTempDir, type TempDir, type TestHooks } from './temp-dir.js';
export { freePort, hasRedisServer, startRedisCluster, startRedisServer, type RedisCluster, type RedisServer, type RedisServerOptions } from './redis-server.js';
