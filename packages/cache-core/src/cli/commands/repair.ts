import path from 'node:path';
import { Command } from 'commander';
import { repairCacheDir, type RepairReport } from '../../tiers/disk/store-repair.js';
import { toJson, type CliContext } from '../context.js';

interface RepairOptions {
  json?: boolean;
}

/**
 * `barcache repair`: checks the cache database and, when it is damaged, repairs it with LevelDB's
 * own repair, or (when that fails) moves it aside to `<dir>/db-damaged-<time>` and starts a fresh
 * one. Never deletes anything; says what it did and where the old database went.
 */
export function repairCommand(ctx: CliContext): Command {
  return new Command('repair')
    .description('check the cache database and repair it if damaged (LevelDB repair; else move it aside and start fresh)')
    .option('--json', 'print what was done as JSON')
    .action(async (opts: RepairOptions) => {
      const globals = ctx.globals();
      const report = await repairCacheDir({
        dir: globals.dir,
        now: () => ctx.io.now(),
        ...(globals.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: globals.lockTimeoutMs }),
      });
      if (opts.json) ctx.out(toJson(report));
      else if (!globals.quiet || report.action === 'moved-aside') ctx.out(repairText(report));
    });
}

/** What `repair` did, in words. */
export function repairText(r: RepairReport): string {
  const db = path.join(r.dir, 'db');
  switch (r.action) {
    case 'none':
      return `No cache database in ${r.dir}: nothing to repair.`;
    case 'healthy':
      return `The cache database ${db} is healthy (${r.keys} keys read): nothing to repair.`;
    case 'repaired': {
      const lost = r.lostFiles?.length
        ? `\nFiles LevelDB could not read were kept in ${path.join(db, 'lost')}: ${r.lostFiles.join(', ')}.`
        : '';
      return (
        `The cache database ${db} was damaged (${r.problem}).\n` +
        `LevelDB's repair rebuilt it: ${r.keys} keys readable. Bars it lost are fetched again when next asked for.${lost}`
      );
    }
    case 'moved-aside':
      return (
        `The cache database ${db} was damaged (${r.problem}) and LevelDB's repair failed (${r.repairFailure}).\n` +
        `The old database was moved to ${r.movedTo} (nothing deleted: remove it when you no longer need it).\n` +
        `A fresh, empty database was started in ${db}.`
      );
  }
}
