/**
 * `@barcache/backtest-adapter/pinets`: Barcache as PineTS's data hook. Needs the peer dependency
 * `pinets` (AGPL-3.0-only: using it makes your program subject to the AGPL; this entry only
 * imports it, and nothing else in Barcache does).
 */
export { preparePineSession, runPineScript, type PineChartArgs, type PineSession, type PineSessionOptions } from './pine-session.js';
export { BarcachePineProvider, type ServedSeries } from './barcache-provider.js';
export { planPineRun, describeCall, type PinePlan, type PinePlanInput, type PlannedSeries, type SecurityRequest } from './plan.js';
export { findSecurityCalls, stripExchange, CHART, type SecurityCall } from './script-scan.js';
export { pineTimeframeToInterval, canonicalTimeframe, hoursPerBar, SERVED_TIMEFRAMES } from './timeframes.js';
export { aggregateHourly, sessionAnchor, type AggregatedBar } from './hourly-aggregation.js';
export { toPineKlines, pineKline, barSpan, zonedMidnight, type PineKline, type KlineOptions } from './klines.js';
export { buildSymbolInfo, type PineSymbolInfo, type KnownSymbolFacts } from './symbol-info.js';
