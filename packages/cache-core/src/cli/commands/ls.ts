import { Command } from 'commander';
import { toJson, withCache, type CliContext } from '../context.js';
import { parseIntervalOption } from '../options.js';
import { formatTime, normalizeSymbol } from '../../time-input.js';
import { rangeToJson } from '../format.js';
import { LS_COLUMNS, lsRows, lsSummaryLine, renderTable, sortSeries } from '../tables.js';
import { sharedStateLine } from '../shared-text.js';

interface LsOptions {
  symbol?: string;
  interval?: string;
  provider?: string;
  json?: boolean;
}

/** `barcache ls`: the series on disk, their covered ranges and sizes. */
export function lsCommand(ctx: CliContext): Command {
  return new Command('ls')
    .description('list cached series: covered ranges, bars, bytes, last fetch')
    .option('--symbol <symbol>', 'only this symbol')
    .option('-i, --interval <interval>', 'only this interval')
    .option('--provider <name>', 'only this provider (yahoo, file…)')
    .option('--json', 'print the series as JSON')
    .action(async (opts: LsOptions) => {
      const symbol = opts.symbol === undefined ? undefined : normalizeSymbol(opts.symbol);
      const interval = opts.interval === undefined ? undefined : parseIntervalOption(opts.interval);
      const { all, diskBytes, shared } = await withCache(
        ctx,
        'ls',
        async (cache) => ({ all: await cache.listSeries(), diskBytes: cache.stats().l2.bytes, shared: await cache.checkShared?.() }),
        // The team cache's state is printed below (said once, on stdout).
        { statsSnapshots: false, onSharedFault: () => undefined },
        'read',
      );
      const teamLine = typeof ctx.globals().shared === 'string' ? sharedStateLine(shared) : undefined;
      const series = sortSeries(
        all.filter(
          (s) =>
            (symbol === undefined || s.symbol === symbol) &&
            (interval === undefined || s.interval === interval) &&
            (opts.provider === undefined || s.provider === opts.provider),
        ),
      );
      if (opts.json) {
        ctx.out(
          toJson(
            series.map((s) => ({
              ...s,
              covered: s.covered.map(rangeToJson),
              ...(s.firstBar !== undefined ? { firstBarIso: formatTime(s.firstBar) } : {}),
              ...(s.lastBar !== undefined ? { lastBarIso: formatTime(s.lastBar) } : {}),
              ...(s.lastFetchedAt !== undefined ? { lastFetchedIso: new Date(s.lastFetchedAt).toISOString() } : {}),
            })),
          ),
        );
        return;
      }
      if (series.length === 0) {
        ctx.out(all.length === 0 ? `the cache at ${ctx.globals().dir} is empty` : 'no series match');
        if (teamLine) ctx.out(teamLine);
        return;
      }
      ctx.out(renderTable(LS_COLUMNS, lsRows(series, ctx.io.now())));
      ctx.out(lsSummaryLine(series, series.length === all.length ? diskBytes : undefined));
      if (teamLine) ctx.out(teamLine);
    });
}
