/**
 * `@barcache/backtest-adapter`: put Barcache into a backtest engine's data hook.
 * This entry needs no framework; grademark lives at `@barcache/backtest-adapter/grademark`.
 */
export { createDataHook, type DataHook, type DataHookOptions, type DataHookPlan } from './data-hook.js';
export { createSessionLookup, type SessionLookup, type SessionLookupOptions } from './session-lookup.js';
export {
  createBacktestKitGetCandles,
  toBacktestKitCandles,
  toBacktestKitInterval,
  type BacktestKitCandle,
  type BacktestKitGetCandles,
  type BacktestKitInterval,
} from './backtest-kit.js';
export { barAsOf, lowerBound, sliceWithLookback, upperBound, windowEndingAt, type LookbackSlice, type Timed } from './window.js';
