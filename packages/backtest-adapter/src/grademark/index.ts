/**
 * `@barcache/backtest-adapter/grademark`: Barcache as grademark's data hook (its input series).
 * Needs the peer dependencies `grademark`, `data-forge` (and `chai@4`, which grademark uses without declaring it).
 */
export { loadSeries, type LoadSeriesOptions } from './load-series.js';
export { prepareSession, type GrademarkSession, type SessionOptions } from './session.js';
export { grademarkRowsFromColumns, toGrademarkRow, toGrademarkRows, type GrademarkBar } from './rows.js';
export { createSessionLookup, type SessionLookup, type SessionLookupOptions } from '../session-lookup.js';
