import { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { toJson, withCache, type CliContext } from '../context.js';
import { parseIntervalOption, parseLookback, parseSymbols, resolveDateRange } from '../options.js';
import { createWarmProgress } from '../progress.js';
import { renderTable, WARM_COLUMNS, warmFailureLines, warmRows, warmSummaryLine } from '../tables.js';
import { rangeToJson } from '../format.js';

interface WarmOptions {
  interval?: string;
  from?: string;
  to?: string;
  lookback?: string;
  json?: boolean;
}

/** `barcache warm <symbols…>`: fill the cache for a backtest range, one planned pass. */
export function warmCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  return new Command('warm')
    .description('fetch what is missing for the symbols over a range, so backtests start warm')
    .argument('<symbols...>', 'tickers (space or comma separated), e.g. AAPL MSFT SPY')
    .option('-i, --interval <interval>', 'bar interval (1m 2m 5m 15m 30m 60m 90m 1h 1d 5d 1wk 1mo 3mo)', '1d')
    .option('--from <date>', 'first date, YYYY-MM-DD (default: one year before --to)')
    .option('--to <date>', 'last date, YYYY-MM-DD, inclusive (default: today, UTC)')
    .option('--lookback <n>', 'history before --from the backtest reads: N bars, or Nd calendar days')
    .option('--json', 'print the prefetch report as JSON')
    .addHelpText(
      'after',
      '\nExit status: 0 all symbols ready, 1 some failed (the others are stored), 2 bad input, 3 cache dir locked.',
    )
    .action(async (rawSymbols: string[], opts: WarmOptions) => {
      // Validate everything before touching the cache: bad input changes nothing.
      const symbols = parseSymbols(rawSymbols);
      const interval = parseIntervalOption(opts.interval);
      const range = resolveDateRange(opts, ctx.io.now(), interval);
      const lookback = parseLookback(opts.lookback);

      const report = await withCache(ctx, 'warm', async (cache, globals) => {
        const progress = createWarmProgress(symbols, globals.progress && !opts.json ? ctx.io.progressStream : undefined);
        try {
          const session = await cache.prefetch({
            symbols,
            interval,
            start: range.start,
            end: range.end,
            ...(lookback ? { lookback } : {}),
            onProgress: (e) => progress.onProgress(e),
            ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
          });
          session.release();
          return session.report;
        } finally {
          progress.stop();
        }
      });

      const globals = ctx.globals();
      if (opts.json) {
        ctx.out(
          toJson({
            ok: report.failed.length === 0,
            ...report,
            range: rangeToJson({ start: range.start, end: range.end }),
          }),
        );
      } else if (!globals.quiet) {
        ctx.out(renderTable(WARM_COLUMNS, warmRows(report)));
        ctx.out(warmSummaryLine(report));
      }
      if (ctx.io.signal?.aborted) {
        // Ctrl-C: what finished is stored; the rest was skipped (ABORTED in the table).
        ctx.err('barcache: warm interrupted; finished symbols are stored');
        setExit(ExitCode.INTERRUPTED);
      }
      if (report.failed.length > 0) {
        const lines = warmFailureLines(report);
        ctx.err(`barcache: ${report.failed.length} of ${report.symbols.length} symbols failed:`);
        for (const line of lines) ctx.err(`  ${line}`);
        setExit(ExitCode.FAILED);
      }
    });
}
