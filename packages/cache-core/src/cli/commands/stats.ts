import { Command } from 'commander';
import { isBarcacheError } from '../../errors.js';
import type { CacheStats } from '../../types.js';
import { toJson, withCache, type CliContext } from '../context.js';
import { holderPid } from '../exit-codes.js';
import { parseNonNegativeInt } from '../options.js';
import { processRows, PROCESS_COLUMNS, renderTable, statsTable, statsViewOf } from '../tables.js';

interface StatsOptions {
  json?: boolean;
  staleMs?: string;
}

/** How long `stats` waits for the dir when another process holds it (then it reports snapshots only). */
const STATS_LOCK_WAIT_MS = 500;

/**
 * `barcache stats`: this process's view of the cache (what is on disk) plus the sum of the live
 * processes' snapshots in `<dir>/stats/`. When another process holds the dir, the disk figures
 * come from its snapshot and the holder is named; that is not an error for `stats`.
 */
export function statsCommand(ctx: CliContext): Command {
  return new Command('stats')
    .description('cache figures: requests, hit rate, per-tier hits/misses/bytes, provider calls, latency (this process and all live ones)')
    .option('--json', 'print the figures as JSON')
    .option('--stale-ms <ms>', 'a snapshot not updated for this long is ignored', '30000')
    .action(async (opts: StatsOptions) => {
      const globals = ctx.globals();
      const staleMs = parseNonNegativeInt(opts.staleMs ?? '30000', 'stale-ms');
      let own: CacheStats | undefined;
      let locked: { pid?: number; message: string } | undefined;
      try {
        own = await withCache(ctx, 'stats', async (cache) => cache.stats(), {
          statsSnapshots: false,
          lockTimeoutMs: globals.lockTimeoutMs ?? STATS_LOCK_WAIT_MS,
        });
      } catch (err) {
        if (!isBarcacheError(err, 'LOCKED')) throw err;
        const pid = holderPid(err.details);
        locked = { ...(pid !== undefined ? { pid } : {}), message: err.message };
      }
      const now = ctx.io.now();
      const { entries, live } = await ctx.deps.snapshots.read(globals.dir, { now, staleMs });
      const visible = entries.filter((e) => !e.stale);

      if (opts.json) {
        ctx.out(
          toJson({
            dir: globals.dir,
            process: own ?? null,
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
          }),
        );
        return;
      }
      ctx.out(`cache dir: ${globals.dir}`);
      if (locked) {
        ctx.out(`in use by ${locked.pid !== undefined ? `pid ${locked.pid}` : 'another process'}: disk figures below come from its snapshot`);
      }
      ctx.out(
        statsTable([
          { title: 'this process', view: own ? statsViewOf(own) : undefined },
          { title: `live processes (${live.processes})`, view: live.processes > 0 ? statsViewOf(live) : undefined },
        ]),
      );
      if (visible.length > 0) {
        ctx.out('processes using this dir:');
        ctx.out(renderTable(PROCESS_COLUMNS, processRows(visible, now)));
      }
    });
}
