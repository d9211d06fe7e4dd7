import { Command } from 'commander';
import { BarcacheError, type ErrorCode } from '../../errors.js';
import { FileProvider, DEFAULT_FILE_PROVIDER_NAME } from '../../provider/file/file-provider.js';
import { readPriceFiles, type SymbolSeries } from '../../provider/file/price-folder.js';
import { assertTimeZone } from '../../provider/file/price-time.js';
import { normalizeSymbol } from '../../time-input.js';
import type { BarCache } from '../../types.js';
import { toJson, withCache, type CliContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { formatCount, inclusiveRangeToJson } from '../format.js';
import { parseIntervalOption } from '../options.js';
import { IMPORT_COLUMNS, importRows, renderTable, type ImportedSeries } from '../tables.js';

interface ImportOptions {
  symbol?: string;
  interval?: string;
  provider?: string;
  tz?: string;
  json?: boolean;
}

/**
 * `barcache import <file-or-dir>`: your own price files into the cache, under a provider name of
 * their own. Every file is read and validated before the cache is opened (one bad row fails the
 * import with INVALID_FILE, naming file and line, and nothing is stored); each series is then
 * stored by the cache's own fill path, one atomic commit per series.
 */
export function importCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  return new Command('import')
    .description('import price files (CSV: Yahoo download, Stooq, broker export) into the cache, under their own provider name')
    .argument('<path>', 'a price file, or a folder of them (one file per symbol: AAPL.csv, MSFT_5m.csv…)')
    .option('--symbol <symbol>', 'the symbol of a single file (default: its ticker column, else its file name)')
    .option('-i, --interval <interval>', 'bar interval (default: 1d for dates, inferred from the spacing of date-times)')
    .option('--provider <name>', 'the provider name the bars are stored under', DEFAULT_FILE_PROVIDER_NAME)
    .option('--tz <zone>', 'IANA time zone of date-times written without one, e.g. America/New_York (default: UTC)')
    .option('--json', 'print what was imported as JSON')
    .addHelpText('after', '\nExit status: 0 imported, 1 a series could not be stored whole, 2 bad input (INVALID_FILE names file and line), 3 cache dir locked.')
    .action(async (target: string, opts: ImportOptions) => {
      const interval = opts.interval === undefined ? undefined : parseIntervalOption(opts.interval);
      const tz = opts.tz === undefined ? undefined : assertTimeZone(opts.tz);
      const symbol = opts.symbol === undefined ? undefined : normalizeSymbol(opts.symbol);
      // All files validated before the cache is opened: a bad row stores nothing.
      const series = await readPriceFiles(target, { ...(interval ? { interval } : {}), ...(tz ? { tz } : {}), ...(symbol ? { symbol } : {}) });
      const provider = new FileProvider({ series, ...(opts.provider !== undefined ? { name: opts.provider } : {}) });
      const results = await withCache(ctx, 'import', (cache) => storeAll(ctx, cache, series), { provider, offline: false });

      const incomplete = results.filter((r) => r.stored !== r.bars);
      if (opts.json) {
        ctx.out(
          toJson({
            ok: incomplete.length === 0,
            provider: provider.name,
            series: results.map((r) => ({ ...r, range: inclusiveRangeToJson(r.first, r.last) })),
          }),
        );
      } else if (!ctx.globals().quiet) {
        ctx.out(renderTable(IMPORT_COLUMNS, importRows(results)));
        const bars = results.reduce((n, r) => n + r.bars, 0);
        ctx.out(`${formatCount(results.length)} series, ${formatCount(bars)} bars from ${target}, stored as provider "${provider.name}"`);
      }
      for (const r of incomplete) {
        ctx.err(
          `barcache: ${r.symbol} ${r.interval}: the cache already holds ${provider.name} data for this range (${r.stored} bars, the file has ${r.bars}); ` +
            `clear it first (barcache clear --symbol ${r.symbol} --interval ${r.interval}) and import again`,
        );
        setExit(ExitCode.FAILED);
      }
    });
}

async function storeAll(ctx: CliContext, cache: BarCache, series: readonly SymbolSeries[]): Promise<ImportedSeries[]> {
  const out: ImportedSeries[] = [];
  for (const [i, s] of series.entries()) {
    const first = s.bars[0]!.time;
    const last = s.bars[s.bars.length - 1]!.time;
    // One series per prefetch: its whole span is one gap, fetched from the parsed file and
    // committed (bars and coverage together) in one batch.
    const session = await cache.prefetch({ symbols: [s.symbol], interval: s.interval, start: first, end: last, ...(ctx.io.signal ? { signal: ctx.io.signal } : {}) });
    session.release();
    const r = session.report.symbols[0]!;
    if (r.error) throw new BarcacheError(r.error.code as ErrorCode, `${s.symbol} ${s.interval}: ${r.error.message}`, { details: { symbol: s.symbol, file: s.file } });
    out.push({
      symbol: s.symbol,
      interval: s.interval,
      file: s.file,
      bars: s.bars.length,
      stored: r.bars,
      first,
      last,
      skippedRows: s.skippedRows,
      alreadyCached: r.source !== 'provider' && r.providerCalls === 0,
    });
    if (!ctx.globals().quiet) ctx.err(`barcache: imported ${s.symbol} ${s.interval} (${i + 1}/${series.length})`);
  }
  return out;
}
