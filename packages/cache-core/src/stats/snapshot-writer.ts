import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import type { CacheStats } from '../types.js';
import { recordRun, recordRunSync } from './run-history.js';
import { statsDirOf, statsSnapshotPath, type RunRecord, type StatsSnapshot } from './snapshot-schema.js';

/**
 * Cross-process stats: every process using a cache dir writes `<dir>/stats/<pid>.json`
 * (atomically: a temp file in the same folder, then rename), at most once per `intervalMs` while
 * it is busy. The VS Code extension and `barcache stats` read them all and sum the live ones.
 * On close the final figures also go into the run history (`run-history.ts`), so they outlive
 * the process.
 */
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
  /** Keep the final figures in the run history on close. Default true. */
  recordRun?: boolean;
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
  private readonly recordsRun: boolean;

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
    this.recordsRun = options.recordRun !== false;
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
    // Tiny on purpose: it runs on every lookback and inlines into the caller; the rest is schedule().
    if (this.timer === undefined && !this.closed) this.schedule();
  }

  private schedule(): void {
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

  /**
   * Writes a final snapshot with `closed: true`, adds the final figures to the run history, and
   * stops all timers. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    this.stopTimers();
    const snap = this.startWrite(true);
    const run = snap && this.recordsRun ? this.runOf(snap) : undefined;
    if (run) this.chain = this.chain.then(async () => {
      const err = await recordRun(this.dir, run);
      if (err !== undefined) this.lastError = err;
    });
    return this.chain;
  }

  private runOf(snap: StatsSnapshot): RunRecord {
    const { pid, hostname, label, dir, startedAt, updatedAt, stats } = snap;
    return { version: 1, pid, hostname, label, dir, startedAt, endedAt: updatedAt, stats };
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
      if (this.recordsRun) {
        const err = recordRunSync(this.dir, this.runOf(snap));
        if (err !== undefined) this.lastError = err;
      }
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
  private startWrite(closing: boolean): StatsSnapshot | undefined {
    this.lastWriteAt = this.now();
    const snap = this.buildSnapshot(closing);
    if (!snap) return undefined;
    const body = JSON.stringify(snap);
    this.chain = this.chain.then(() => this.writeAtomically(body, closing));
    return snap;
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

