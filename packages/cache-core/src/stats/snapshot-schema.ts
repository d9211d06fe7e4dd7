/**
 * The stats files' schema: `<dir>/stats/<pid>.json` (a process's live figures) and
 * `<dir>/stats/runs/*.json` (the final figures of processes that closed: the run history).
 * snapshot-validation.ts checks what other processes wrote (zod, loaded only by readers).
 */
import { join } from 'node:path';
import type { CacheStats } from '../types.js';

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

/** `<dir>/stats/runs`. */
export function runsDirOf(dir: string): string {
  return join(statsDirOf(dir), 'runs');
}
