import { Command } from 'commander';
import { isBarcacheError } from '../../errors.js';
import { assertCacheExists, toJson, withCache, type CliContext } from '../context.js';
import { holderPid } from '../exit-codes.js';
import { parseNonNegativeInt } from '../options.js';
import { processRows, PROCESS_COLUMNS, renderTable, RUN_COLUMNS, runRows, statsTable, statsViewOf } from '../tables.js';
import { formatBytes, formatCount } from '../format.js';
import { sharedStateLine } from '../shared-text.js';
import type { SharedTierStats } from '../../types.js';

interface StatsOptions {
  json?: boolean;
  staleMs?: string;
  runs?: string;
}

/** How long `stats` waits for the dir when another process holds it (then it reports snapshots only). */
const STATS_LOCK_WAIT_MS = 500;

/**
 * `barcache stats`: what the cache holds (one disk figure, the same as `ls`), the figures of the
 * processes using it now (their live snapshots), and those of the last runs that used it (the run
 * history each process leaves when it closes the cache). The stats command itself is read-only
 * and counts nowhere. When another process holds the dir, the disk figures come from its snapshot.
 */
export function statsCommand(ctx: CliContext): Command {
  return new Command('stats')
    .description('cache figures: on disk, the live processes, and the last runs (requests, hit rate, per-tier hits, provider calls, errors)')
    .option('--json', 'print the figures as JSON')
    .option('--runs <n>', 'how many recent runs to list', '10')
    .option('--stale-ms <ms>', 'a snapshot not updated for this long is ignored', '30000')
    .action(async (opts: StatsOptions) => {
      const globals = ctx.globals();
      const staleMs = parseNonNegativeInt(opts.staleMs ?? '30000', 'stale-ms');
      const runLimit = parseNonNegativeInt(opts.runs ?? '10', 'runs');
      assertCacheExists(ctx, globals.dir);
      let disk: { series: number; bytes: number } | undefined;
      let team: SharedTierStats | undefined;
      let locked: { pid?: number; message: string } | undefined;
      try {
        disk = await withCache(
          ctx,
          'stats',
          async (cache) => {
            const s = cache.stats();
            team = await cache.checkShared?.();
            return { series: s.l2.series, bytes: s.l2.bytes };
          },
          // The team cache's state is printed below (said once, on stdout).
          { statsSnapshots: false, lockTimeoutMs: globals.lockTimeoutMs ?? STATS_LOCK_WAIT_MS, onSharedFault: () => undefined },
          'read',
        );
      } catch (err) {
        if (!isBarcacheError(err, 'LOCKED')) throw err;
        const pid = holderPid(err.details);
        locked = { ...(pid !== undefined ? { pid } : {}), message: err.message };
      }
      const now = ctx.io.now();
      const { entries, live } = await ctx.deps.snapshots.read(globals.dir, { now, staleMs });
      const { runs, totals } = await ctx.deps.snapshots.readRuns(globals.dir);
      const visible = entries.filter((e) => !e.stale);
      if (!disk && live.processes > 0) disk = { series: live.l2.series, bytes: live.l2.bytes };

      if (opts.json) {
        ctx.out(
          toJson({
            dir: globals.dir,
            disk: disk ?? null,
            ...(typeof globals.shared === 'string' ? { team: team ?? null } : {}),
            ...(locked ? { locked } : {}),
            live,
            processes: visible.map((e) => ({
              pid: e.snapshot.pid,
              hostname: e.snapshot.hostname,
              label: e.snapshot.label,
              state: e.state,
              startedAt: e.snapshot.startedAt,
              updatedAt: e.snapshot.updatedAt,
              stats: e.snapshot.stats,
            })),
            history: { runs: runs.length, totals },
            runs: runs.slice(0, runLimit),
          }),
        );
        return;
      }
      ctx.out(`cache dir: ${globals.dir}`);
      if (locked) {
        ctx.out(`in use by ${locked.pid !== undefined ? `pid ${locked.pid}` : 'another process'}: disk figures below come from its snapshot`);
      }
      ctx.out(disk ? `on disk: ${formatCount(disk.series)} series, ${formatBytes(disk.bytes)}` : 'on disk: – (no figures while another process holds the dir)');
      if (typeof globals.shared === 'string') ctx.out(sharedStateLine(team));
      ctx.out(
        statsTable([
          { title: `live now (${live.processes})`, view: live.processes > 0 ? statsViewOf(live) : undefined },
          { title: `last ${runs.length} run${runs.length === 1 ? '' : 's'}`, view: runs.length > 0 ? statsViewOf(totals) : undefined },
        ]),
      );
      if (visible.length > 0) {
        ctx.out('processes using this dir:');
        ctx.out(renderTable(PROCESS_COLUMNS, processRows(visible, now)));
      }
      if (runs.length > 0 && runLimit > 0) {
        ctx.out('recent runs (newest first):');
        ctx.out(renderTable(RUN_COLUMNS, runRows(runs.slice(0, runLimit), now)));
      } else {
        ctx.out('no runs recorded yet (warm, import or a backtest leave their figures here when they close the cache)');
      }
    });
}
