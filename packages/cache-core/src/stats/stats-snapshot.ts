import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { CacheStats } from '../types.js';

/**
 * Cross-process stats: every process using a cache dir writes `<dir>/stats/<pid>.json`
 * (atomically: a temp file in the same folder, then rename), at most once per `intervalMs` while
 * it is busy. The VS Code extension and `barcache stats` read them all and sum the live ones.
 */

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

const SNAPSHOT_FILE = /^(\d+)\.json$/;

export interface StatsSnapshotWriterOptions {
  /** The cache dir; the snapshot goes to `<dir>/stats/<pid>.json`. */
  dir: string;
  label: string;
  /** Minimum ms between two writes while `touch()` is called. Default 1000. */
  intervalMs?: number;
  /**
   * Rewrite the snapshot at least this often (ms) even when idle, so readers do not take a quiet
   * but running process for a stale one. Default 10000 (a third of the readers' default staleMs);
   * 0 disables. The timer is unref'd: it never keeps the process alive.
   */
  heartbeatMs?: number;
  /** Called at each write. Must be cheap and must not throw (a throw skips that write). */
  getStats: () => CacheStats;
  /** Clock, epoch ms. Default Date.now. */
  now?: () => number;
  /** Default process.pid. */
  pid?: number;
  /** Default os.hostname(). */
  hostname?: string;
}

/**
 * Writes this process's snapshot, throttled. Writing never throws into the caller: a failed write
 * is kept in `lastError` and retried on the next touch.
 */
export class StatsSnapshotWriter {
  readonly path: string;
  /** The last write failure, if any (cleared by a successful write). */
  lastError: unknown = undefined;
  /** Completed writes (for tests and diagnostics). */
  writes = 0;

  private readonly dir: string;
  private readonly label: string;
  private readonly intervalMs: number;
  private readonly getStats: () => CacheStats;
  private readonly now: () => number;
  private readonly pid: number;
  private readonly hostname: string;
  private readonly startedAt: number;
  private lastWriteAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private folderReady = false;
  private closed = false;

  constructor(options: StatsSnapshotWriterOptions) {
    this.dir = options.dir;
    this.label = options.label;
    this.intervalMs = Math.max(0, options.intervalMs ?? 1000);
    this.getStats = options.getStats;
    this.now = options.now ?? Date.now;
    this.pid = options.pid ?? process.pid;
    this.hostname = options.hostname ?? osHostname();
    this.path = statsSnapshotPath(this.dir, this.pid);
    this.startedAt = this.now();
    const heartbeatMs = options.heartbeatMs ?? 10_000;
    if (heartbeatMs > 0) {
      this.heartbeat = setInterval(() => {
        if (!this.closed && this.timer === undefined && this.now() - this.lastWriteAt >= heartbeatMs) this.startWrite(false);
      }, heartbeatMs);
      this.heartbeat.unref?.();
    }
  }

  /**
   * Notes that the stats changed. Writes at once if the last write is `intervalMs` old, else
   * schedules one trailing write at `lastWrite + intervalMs` that captures the state then. O(1).
   */
  touch(): void {
    if (this.closed || this.timer !== undefined) return;
    const wait = this.lastWriteAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.startWrite(false);
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.startWrite(false);
    }, wait);
    this.timer.unref?.();
  }

  /** Writes now (cancelling a pending trailing write) and resolves when it has landed. */
  async flush(): Promise<void> {
    if (this.closed) return this.chain;
    this.cancelTimer();
    this.startWrite(false);
    return this.chain;
  }

  /** Resolves when every write started so far has landed (or failed). Starts none. */
  whenIdle(): Promise<void> {
    return this.chain;
  }

  /** A trailing write is scheduled. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Writes a final snapshot with `closed: true` and stops all timers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    this.stopTimers();
    this.startWrite(true);
    return this.chain;
  }

  /** Synchronous `close()` for `process.on('exit')` handlers. */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    const snap = this.buildSnapshot(true);
    if (!snap) return;
    const tmp = this.tmpPath();
    try {
      mkdirSync(statsDirOf(this.dir), { recursive: true });
      writeFileSync(tmp, JSON.stringify(snap));
      renameSync(tmp, this.path);
      this.writes++;
    } catch (err) {
      this.lastError = err;
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private stopTimers(): void {
    this.cancelTimer();
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private tmpPath(): string {
    return `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
  }

  private buildSnapshot(closed: boolean): StatsSnapshot | undefined {
    try {
      return {
        version: 1,
        pid: this.pid,
        hostname: this.hostname,
        label: this.label,
        dir: this.dir,
        startedAt: this.startedAt,
        updatedAt: this.now(),
        closed,
        stats: this.getStats(),
      };
    } catch (err) {
      this.lastError = err;
      return undefined;
    }
  }

  /** Captures the state now and queues the write behind any write in flight. */
  private startWrite(closing: boolean): void {
    this.lastWriteAt = this.now();
    const snap = this.buildSnapshot(closing);
    if (!snap) return;
    const body = JSON.stringify(snap);
    this.chain = this.chain.then(() => this.writeAtomically(body, closing));
  }

  private async writeAtomically(body: string, closing: boolean): Promise<void> {
    const tmp = this.tmpPath();
    try {
      if (!this.folderReady) {
        await mkdir(statsDirOf(this.dir), { recursive: true });
        this.folderReady = true;
      }
      await writeFile(tmp, body);
      // closeSync may have written the final snapshot meanwhile: never overwrite it.
      if (this.closed && !closing) {
        await unlink(tmp).catch(() => undefined);
        return;
      }
      await rename(tmp, this.path);
      this.writes++;
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err;
      this.folderReady = false;
      await unlink(tmp).catch(() => undefined);
    }
  }
}

export type SnapshotState = 'live' | 'closed' | 'stale';

export interface StatsSnapshotEntry {
  /** Absolute path of the snapshot file. */
  file: string;
  snapshot: StatsSnapshot;
  /**
   * `stale`: the process is gone (same host, `process.kill(pid, 0)` fails) or the snapshot was not
   * updated for `staleMs`; else `closed` when the process closed its cache; else `live`.
   */
  state: SnapshotState;
  stale: boolean;
  staleReason?: 'dead' | 'old';
}

export interface ReadStatsSnapshotsOptions {
  /** Epoch ms. Default Date.now(). */
  now?: number;
  /** A snapshot not updated for this long is stale. Default 30000. */
  staleMs?: number;
  /** Is a local pid alive? Default: `process.kill(pid, 0)` (EPERM counts as alive). */
  isAlive?: (pid: number) => boolean;
  /** This machine's host name; pids are only checked for snapshots from it. Default os.hostname(). */
  hostname?: string;
}

/** `process.kill(pid, 0)`: true when the process exists (even if we may not signal it). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Reads every `<dir>/stats/<pid>.json`, ascending by pid. Unreadable, unparsable, partial or
 * invalid files are skipped without throwing; a missing stats folder gives `[]`.
 */
export async function readStatsSnapshots(dir: string, options: ReadStatsSnapshotsOptions = {}): Promise<StatsSnapshotEntry[]> {
  const now = options.now ?? Date.now();
  const staleMs = options.staleMs ?? 30_000;
  const isAlive = options.isAlive ?? isPidAlive;
  const host = options.hostname ?? osHostname();
  const folder = statsDirOf(dir);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const files = names.filter((n) => SNAPSHOT_FILE.test(n)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  const entries = await Promise.all(
    files.map(async (name): Promise<StatsSnapshotEntry | undefined> => {
      const file = join(folder, name);
      let snapshot: StatsSnapshot;
      try {
        // zod loads here, on the first read, not when cache-core is imported.
        const { statsSnapshotSchema } = await import('./stats-snapshot-schema.js');
        const parsed = statsSnapshotSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
        if (!parsed.success) return undefined;
        snapshot = parsed.data;
      } catch {
        return undefined;
      }
      let staleReason: 'dead' | 'old' | undefined;
      if (snapshot.hostname === host && !isAlive(snapshot.pid)) staleReason = 'dead';
      else if (now - snapshot.updatedAt > staleMs) staleReason = 'old';
      const state: SnapshotState = staleReason ? 'stale' : snapshot.closed ? 'closed' : 'live';
      return staleReason ? { file, snapshot, state, stale: true, staleReason } : { file, snapshot, state, stale: false };
    }),
  );
  return entries.filter((e): e is StatsSnapshotEntry => e !== undefined);
}

/**
 * Deletes stale snapshots last updated more than `maxAgeMs` ago and leftover `.tmp` files older
 * than that (a writer killed mid-write). Returns how many files went. Never throws.
 */
export async function pruneStatsSnapshots(
  dir: string,
  options: ReadStatsSnapshotsOptions & { maxAgeMs?: number } = {},
): Promise<number> {
  const now = options.now ?? Date.now();
  const maxAgeMs = options.maxAgeMs ?? 24 * 3600_000;
  let removed = 0;
  for (const e of await readStatsSnapshots(dir, options)) {
    if (e.stale && now - e.snapshot.updatedAt > maxAgeMs) {
      if (await unlink(e.file).then(() => true, () => false)) removed++;
    }
  }
  let names: string[] = [];
  try {
    names = await readdir(statsDirOf(dir));
  } catch {
    return removed;
  }
  for (const name of names.filter((n) => n.endsWith('.tmp'))) {
    const file = join(statsDirOf(dir), name);
    const st = await stat(file).catch(() => undefined);
    if (st && now - st.mtimeMs > maxAgeMs && (await unlink(file).then(() => true, () => false))) removed++;
  }
  return removed;
}

/** All-zero stats. */
export function emptyCacheStats(startedAt = 0): CacheStats {
  return {
    requests: 0,
    l1: { hits: 0, misses: 0, bytes: 0, entries: 0, pinnedEntries: 0 },
    l2: { hits: 0, misses: 0, bytes: 0, series: 0, corruptBlocks: 0 },
    provider: { calls: 0, bars: 0, errors: 0, retries: 0, droppedBars: 0 },
    providerCallsSaved: 0,
    hitRate: 0,
    latency: { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 },
    prefetch: { runs: 0, symbols: 0 },
    startedAt,
  };
}

export interface AggregateStats extends CacheStats {
  /** How many snapshots were summed. */
  processes: number;
  /** The newest `updatedAt` among them (undefined when none). */
  updatedAt?: number;
}

/**
 * Sums snapshots into one figure (status bar, `barcache stats`). By default only `live` entries
 * count; pass `include` to add `closed` or `stale` ones. Bare StatsSnapshots count as `live`
 * (or `closed` when flagged so).
 *
 * Counters add up; `hitRate` is recomputed from the sums; `l2.bytes` and `l2.series` describe a
 * cache dir, not a process, so they are taken once per distinct `dir` (the largest report) and
 * summed across dirs; latency `count` adds, `p50Ms` is the count-weighted mean of p50s,
 * `p99Ms` and `maxMs` are maxima; `startedAt` is the earliest, `prefetch.lastAt` the latest.
 */
export function aggregateStats(
  snapshots: readonly (StatsSnapshotEntry | StatsSnapshot)[],
  options: { include?: readonly SnapshotState[] } = {},
): AggregateStats {
  const include = new Set<SnapshotState>(options.include ?? ['live']);
  const chosen: StatsSnapshot[] = [];
  for (const s of snapshots) {
    if ('snapshot' in s) {
      if (include.has(s.state)) chosen.push(s.snapshot);
    } else if (include.has(s.closed ? 'closed' : 'live')) {
      chosen.push(s);
    }
  }
  const out: AggregateStats = { ...emptyCacheStats(0), processes: chosen.length };
  if (chosen.length === 0) return out;
  const perDir = new Map<string, { bytes: number; series: number }>();
  let startedAt = Infinity;
  let updatedAt = -Infinity;
  let p50Weighted = 0;
  for (const { stats: s, dir, updatedAt: u } of chosen) {
    out.requests += s.requests;
    out.l1.hits += s.l1.hits;
    out.l1.misses += s.l1.misses;
    out.l1.bytes += s.l1.bytes;
    out.l1.entries += s.l1.entries;
    out.l1.pinnedEntries += s.l1.pinnedEntries;
    out.l2.hits += s.l2.hits;
    out.l2.misses += s.l2.misses;
    out.l2.corruptBlocks += s.l2.corruptBlocks;
    const d = perDir.get(dir) ?? { bytes: 0, series: 0 };
    perDir.set(dir, { bytes: Math.max(d.bytes, s.l2.bytes), series: Math.max(d.series, s.l2.series) });
    out.provider.calls += s.provider.calls;
    out.provider.bars += s.provider.bars;
    out.provider.errors += s.provider.errors;
    out.provider.retries += s.provider.retries;
    out.provider.droppedBars += s.provider.droppedBars;
    out.providerCallsSaved += s.providerCallsSaved;
    out.latency.count += s.latency.count;
    p50Weighted += s.latency.p50Ms * s.latency.count;
    out.latency.p99Ms = Math.max(out.latency.p99Ms, s.latency.p99Ms);
    out.latency.maxMs = Math.max(out.latency.maxMs, s.latency.maxMs);
    out.prefetch.runs += s.prefetch.runs;
    out.prefetch.symbols += s.prefetch.symbols;
    if (s.prefetch.lastAt !== undefined) out.prefetch.lastAt = Math.max(out.prefetch.lastAt ?? -Infinity, s.prefetch.lastAt);
    startedAt = Math.min(startedAt, s.startedAt);
    updatedAt = Math.max(updatedAt, u);
  }
  for (const d of perDir.values()) {
    out.l2.bytes += d.bytes;
    out.l2.series += d.series;
  }
  out.latency.p50Ms = out.latency.count > 0 ? p50Weighted / out.latency.count : 0;
  out.hitRate = out.requests > 0 ? (out.l1.hits + out.l2.hits) / out.requests : 0;
  out.startedAt = startedAt;
  out.updatedAt = updatedAt;
  return out;
}
