/**
 * The stats files' schema: `<dir>/stats/<pid>.json` (a process's live figures) and
 * `<dir>/stats/runs/*.json` (the final figures of processes that closed: the run history).
 * zod validates what other processes wrote; a file that does not match is skipped by readers.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { CacheStats } from '../types.js';

const nonNeg = () => z.number().nonnegative();
const tierSchema = { hits: nonNeg(), misses: nonNeg(), bytes: nonNeg() };

export const cacheStatsSchema: z.ZodType<CacheStats> = z.object({
  requests: nonNeg(),
  l1: z.object({ ...tierSchema, entries: nonNeg(), pinnedEntries: nonNeg() }),
  l2: z.object({ ...tierSchema, series: nonNeg(), corruptBlocks: nonNeg() }),
  provider: z.object({ calls: nonNeg(), bars: nonNeg(), errors: nonNeg(), retries: nonNeg(), droppedBars: nonNeg() }),
  providerCallsSaved: nonNeg(),
  hitRate: z.number().min(0).max(1),
  latency: z.object({ count: nonNeg(), p50Ms: nonNeg(), p99Ms: nonNeg(), maxMs: nonNeg() }),
  prefetch: z.object({ runs: nonNeg(), symbols: nonNeg(), lastAt: z.number().optional() }),
  startedAt: z.number(),
});

export const STATS_SNAPSHOT_VERSION = 1;

export interface StatsSnapshot {
  version: 1;
  pid: number;
  hostname: string;
  /** What the process is ('barcache warm', 'backtest', 'vscode'…). */
  label: string;
  /** The cache dir the process uses. */
  dir: string;
  startedAt: number;
  updatedAt: number;
  /** The process closed its cache (it may still be running). */
  closed: boolean;
  stats: CacheStats;
}

export const statsSnapshotSchema: z.ZodType<StatsSnapshot> = z.object({
  version: z.literal(1),
  pid: z.number().int().positive(),
  hostname: z.string(),
  label: z.string(),
  dir: z.string(),
  startedAt: z.number(),
  updatedAt: z.number(),
  closed: z.boolean(),
  stats: cacheStatsSchema,
});

/** `<dir>/stats`. */
export function statsDirOf(dir: string): string {
  return join(dir, 'stats');
}

/** `<dir>/stats/<pid>.json`. */
export function statsSnapshotPath(dir: string, pid: number): string {
  return join(statsDirOf(dir), `${pid}.json`);
}

export const SNAPSHOT_FILE = /^(\d+)\.json$/;

/** One finished process: what it was and its final figures (the run history keeps the last few). */
export interface RunRecord {
  version: 1;
  pid: number;
  hostname: string;
  /** What the process was ('barcache warm', 'barcache import', 'backtest', 'vscode'…). */
  label: string;
  dir: string;
  startedAt: number;
  endedAt: number;
  stats: CacheStats;
}

export const runRecordSchema: z.ZodType<RunRecord> = z.object({
  version: z.literal(1),
  pid: z.number().int().positive(),
  hostname: z.string(),
  label: z.string(),
  dir: z.string(),
  startedAt: z.number(),
  endedAt: z.number(),
  stats: cacheStatsSchema,
});

/** `<dir>/stats/runs`. */
export function runsDirOf(dir: string): string {
  return join(statsDirOf(dir), 'runs');
}
