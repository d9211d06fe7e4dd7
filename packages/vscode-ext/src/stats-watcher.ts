import fs from 'node:fs';
import path from 'node:path';
import type { StatsSnapshot } from '@barcache/cache-core';
import { emptyTotals, type LastWarm, type ProcessView, type StatsTotals, type StatsView, sumStats } from './stats-model.js';

/** `<dir>/stats/<pid>.json`, as cache-core writes it (schema version 1). */
export type { StatsSnapshot };

/** Reads the snapshots of a cache dir that are not stale (cache-core's `readStatsSnapshots`, stale entries dropped). */
export type SnapshotReader = (dir: string, opts: { now: number; staleMs: number }) => Promise<StatsSnapshot[]>;
/** Sums snapshots (cache-core's `aggregateStats`, or `sumStats` here). */
export type SnapshotAggregator = (snapshots: StatsSnapshot[]) => StatsTotals;

export function defaultAggregator(snapshots: StatsSnapshot[]): StatsTotals {
  return sumStats(snapshots.map((s) => s.stats));
}

/** The StatsView for a set of snapshots. */
export function viewFromSnapshots(
  dir: string,
  snapshots: readonly StatsSnapshot[],
  opts: { now: number; offline: boolean; lastWarm?: LastWarm; aggregate?: SnapshotAggregator; error?: string },
): StatsView {
  const processes: ProcessView[] = [...snapshots]
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .map((s) => ({
      pid: s.pid,
      hostname: s.hostname,
      label: s.label,
      updatedAt: s.updatedAt,
      closed: s.closed,
      requests: s.stats?.requests ?? 0,
      hitRate: s.stats?.hitRate ?? 0,
    }));
  const totals = snapshots.length > 0 ? (opts.aggregate ?? defaultAggregator)([...snapshots]) : emptyTotals();
  const view: StatsView = { dir, readAt: opts.now, processes, totals, offline: opts.offline };
  if (opts.lastWarm) view.lastWarm = opts.lastWarm;
  if (opts.error) view.error = opts.error;
  return view;
}

export interface StatsWatcherOptions {
  dir: string;
  staleMs: number;
  pollMs: number;
  read: SnapshotReader;
  onSnapshots: (snapshots: StatsSnapshot[], error?: string) => void;
  now?: () => number;
  /** Coalesce bursts of file events (a busy process writes about once a second). Default 150 ms. */
  debounceMs?: number;
}

/**
 * Watches `<dir>/stats/` for snapshot changes (fs.watch) and also re-reads every `pollMs`, because
 * file events can be missed (network file systems, the folder not existing yet, editors' watchers
 * being saturated). Reads never overlap; a change during a read schedules one more read.
 */
export class StatsWatcher {
  readonly #o: Required<Omit<StatsWatcherOptions, 'now'>> & { now: () => number };
  #watcher: fs.FSWatcher | undefined;
  #watching: string | undefined;
  #poll: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #reading: Promise<void> | undefined;
  #again = false;
  #stopped = true;
  /** How many reads have completed (tests wait on it). */
  reads = 0;

  constructor(options: StatsWatcherOptions) {
    this.#o = { debounceMs: 150, now: Date.now, ...options };
  }

  get dir(): string {
    return this.#o.dir;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#ensureWatch();
    this.#poll = setInterval(() => {
      this.#ensureWatch();
      void this.refresh();
    }, this.#o.pollMs);
    this.#poll.unref?.();
    void this.refresh();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#poll) clearInterval(this.#poll);
    if (this.#debounce) clearTimeout(this.#debounce);
    this.#poll = undefined;
    this.#debounce = undefined;
    this.#closeWatch();
  }

  /** Re-reads now (or right after the read in progress). Resolves when a read that started after this call is done. */
  async refresh(): Promise<void> {
    if (this.#reading) {
      this.#again = true;
      // The loop re-reads once more because of #again; wait for the whole loop.
      await this.#reading;
      return;
    }
    this.#reading = this.#readLoop().finally(() => {
      this.#reading = undefined;
    });
    await this.#reading;
  }

  async #readLoop(): Promise<void> {
    do {
      this.#again = false;
      let snapshots: StatsSnapshot[] = [];
      let error: string | undefined;
      try {
        snapshots = await this.#o.read(this.#o.dir, { now: this.#o.now(), staleMs: this.#o.staleMs });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') error = (err as Error).message;
      }
      this.reads++;
      if (this.#stopped) return;
      this.#o.onSnapshots(snapshots, error);
    } while (this.#again);
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#debounce) clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined;
      void this.refresh();
    }, this.#o.debounceMs);
  }

  /** Watch `<dir>/stats` if it exists, else `<dir>` (to see `stats` appear), else nothing until the next poll. */
  #ensureWatch(): void {
    if (this.#stopped) return;
    const statsDir = path.join(this.#o.dir, 'stats');
    const target = fs.existsSync(statsDir) ? statsDir : fs.existsSync(this.#o.dir) ? this.#o.dir : undefined;
    if (target === this.#watching && this.#watcher) return;
    this.#closeWatch();
    if (!target) return;
    try {
      const w = fs.watch(target, { persistent: false }, (_event, filename) => {
        if (target === statsDir) {
          if (filename === null || String(filename).endsWith('.json')) this.#schedule();
        } else if (filename === null || String(filename) === 'stats') {
          this.#ensureWatch();
          this.#schedule();
        }
      });
      w.on('error', () => {
        // The folder went away (cache cleared by hand, say): fall back to polling until it is back.
        this.#closeWatch();
      });
      this.#watcher = w;
      this.#watching = target;
    } catch {
      this.#watching = undefined;
    }
  }

  #closeWatch(): void {
    try {
      this.#watcher?.close();
    } catch {
      /* already closed */
    }
    this.#watcher = undefined;
    this.#watching = undefined;
  }
}
