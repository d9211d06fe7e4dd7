import { Command } from 'commander';
import { BarcacheError, ErrorCode } from '../../errors.js';
import { toJson, withCache, type CliContext } from '../context.js';
import { clearedText, diffCleared } from '../clear-diff.js';
import { rangeToJson } from '../format.js';
import { resolveClearRequest } from '../options.js';
import { ExitCode } from '../exit-codes.js';

interface ClearOptions {
  symbol?: string;
  interval?: string;
  before?: string;
  all?: boolean;
  yes?: boolean;
  json?: boolean;
}

/** `barcache clear`: drop series (or the part before a date). Everything only with --all. */
export function clearCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  return new Command('clear')
    .description('remove cached bars: by symbol, interval, or before a date; everything only with --all')
    .option('--symbol <symbol>', 'only this symbol')
    .option('-i, --interval <interval>', 'only this interval')
    .option('--before <date>', 'only bars (and coverage) before this date, YYYY-MM-DD')
    .option('--all', 'clear the whole cache')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print what was removed as JSON')
    .action(async (opts: ClearOptions) => {
      const request = resolveClearRequest(opts);
      if (request.kind === 'all' && !opts.yes) {
        if (!ctx.io.stdinIsTTY) {
          throw new BarcacheError(
            ErrorCode.INVALID_ARGUMENT,
            'clear --all needs --yes when no one can confirm on a terminal',
          );
        }
        const ok = await ctx.io.confirm(`Clear everything in ${ctx.globals().dir}? [y/N] `);
        if (!ok) {
          ctx.err('barcache: clear cancelled, nothing removed');
          setExit(ExitCode.FAILED);
          return;
        }
      }
      const cleared = await withCache(
        ctx,
        'clear',
        async (cache) => {
          const before = await cache.listSeries();
          await cache.clear(request.kind === 'all' ? undefined : request.filter);
          const after = await cache.listSeries();
          return diffCleared(before, after);
        },
        { statsSnapshots: false },
      );
      if (opts.json) {
        ctx.out(toJson(cleared.map((c) => ({ ...c, ranges: c.ranges.map(rangeToJson) }))));
      } else if (!ctx.globals().quiet) {
        ctx.out(clearedText(cleared));
      }
    });
}
