/**
 * Cross-process stats, one job per file: the files' schema (snapshot-schema.ts), the writer each
 * process runs (snapshot-writer.ts), reading and pruning the live snapshots (snapshot-reader.ts),
 * the one way figures are summed (stats-aggregate.ts), and the history of finished runs
 * (run-history.ts). This module re-exports them for existing importers.
 */
export * from './snapshot-schema.js';
export * from './snapshot-writer.js';
export * from './snapshot-reader.js';
export * from './stats-aggregate.js';
export * from './run-history.js';
