/**
 * What a command needs from the outside world, injected so that commands never reach for
 * `process` themselves: output streams, env, clock, a yes/no prompt, the cache factory.
 */
import type { ReadStatsSnapshotsOptions, StatsSnapshotEntry } from '../stats/snapshot-reader.js';
import type { RunRecord } from '../stats/snapshot-schema.js';
import type { AggregateStats } from '../stats/stats-aggregate.js';
import { BarcacheError, ErrorCode } from '../errors.js';
import type { BarCache, OpenCacheOptions } from '../types.js';
import type { GlobalOptions } from './options.js';
import { sharedFaultLine } from './shared-text.js';

export interface CliStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  /** Whether a person can answer a question on stdin. */
  stdinIsTTY: boolean;
  env: Record<string, string | undefined>;
  now(): number;
  /** Asks a yes/no question on the terminal; resolves false on anything but y/yes. */
  confirm(question: string): Promise<boolean>;
  /** Where progress bars are drawn (a TTY stream); absent: no bars. */
  progressStream?: NodeJS.WritableStream;
  /** Aborted on Ctrl-C: long commands (warm) stop cleanly and close the cache. */
  signal?: AbortSignal;
}

/** Stats snapshot reading, as cache-core's stats/stats-snapshot.ts provides it. */
export interface SnapshotReader {
  /** Every snapshot in `<dir>/stats/` (with its state), and the sum of those that are not stale. */
  read(dir: string, options: ReadStatsSnapshotsOptions): Promise<{ entries: StatsSnapshotEntry[]; live: AggregateStats }>;
  /** The run history (newest first) and its sum. */
  readRuns(dir: string): Promise<{ runs: RunRecord[]; totals: AggregateStats }>;
}

export interface CliDeps {
  openCache(options: OpenCacheOptions): Promise<BarCache>;
  defaultCacheDir(): string;
  /** Whether `dir` holds a cache (read-only commands never create one). */
  cacheExists(dir: string): boolean;
  snapshots: SnapshotReader;
}

export interface CliContext {
  io: CliIo;
  deps: CliDeps;
  /** The resolved global options (reads the program's parsed options). */
  globals(): GlobalOptions;
  out(text: string): void;
  err(text: string): void;
}

/** How a command uses the cache dir: `read` commands (ls, stats, explain) never create one. */
export type CacheAccess = 'read' | 'write';

/** NO_CACHE unless `dir` holds a cache: what a read-only command checks before opening it. */
export function assertCacheExists(ctx: CliContext, dir: string): void {
  if (!ctx.deps.cacheExists(dir)) {
    throw new BarcacheError(ErrorCode.NO_CACHE, `no cache at ${dir}`, { details: { dir } });
  }
}

/**
 * Opens the cache for one command and always closes it, so the LevelDB lock is held only while
 * the command runs (a VS Code window or another CLI can use the dir next). An error from the
 * command wins over an error from close().
 */
export async function withCache<T>(
  ctx: CliContext,
  command: string,
  fn: (cache: BarCache, globals: GlobalOptions) => Promise<T>,
  extra: Partial<OpenCacheOptions> = {},
  access: CacheAccess = 'write',
): Promise<T> {
  const globals = ctx.globals();
  if (access === 'read') assertCacheExists(ctx, globals.dir);
  // The team cache's first fault is said once, in plain words, on stderr; the command carries on.
  let told = false;
  const options: OpenCacheOptions = {
    dir: globals.dir,
    offline: globals.offline,
    processLabel: `barcache ${command}`,
    ...(globals.shared !== undefined ? { shared: globals.shared } : {}),
    onSharedFault: (fault) => {
      if (told) return;
      told = true;
      ctx.err(sharedFaultLine(fault));
    },
    ...extra,
  };
  if (globals.lockTimeoutMs !== undefined) options.lockTimeoutMs = globals.lockTimeoutMs;
  const cache = await ctx.deps.openCache(options);
  let result: T;
  try {
    result = await fn(cache, globals);
  } catch (err) {
    await cache.close().catch(() => undefined);
    throw err;
  }
  await cache.close();
  return result;
}

/** JSON for stdout: two-space indent, trailing newline added by `out`. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
