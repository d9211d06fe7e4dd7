import { Command } from 'commander';
import { toJson, withCache, type CliContext } from '../context.js';
import { parseExplicitRange, parseIntervalOption } from '../options.js';
import { normalizeSymbol } from '../../time-input.js';
import { rangeToJson } from '../format.js';
import { explainText } from '../tables.js';

interface ExplainOptions {
  interval?: string;
  json?: boolean;
}

/** `barcache explain <symbol> <from> <to>`: which tier would serve each part, and what is missing. */
export function explainCommand(ctx: CliContext): Command {
  return new Command('explain')
    .description('show which sub-ranges would come from L1, L2 or the provider, and the requests a fetch would make')
    .argument('<symbol>', 'ticker')
    .argument('<from>', 'first date, YYYY-MM-DD')
    .argument('<to>', 'last date, YYYY-MM-DD, inclusive')
    .option('-i, --interval <interval>', 'bar interval', '1d')
    .option('--json', 'print the explain report as JSON')
    .action(async (rawSymbol: string, from: string, to: string, opts: ExplainOptions) => {
      const symbol = normalizeSymbol(rawSymbol);
      const interval = parseIntervalOption(opts.interval);
      const range = parseExplicitRange(from, to, interval);
      const report = await withCache(
        ctx,
        'explain',
        (cache) => cache.explain({ symbol, interval, start: range.start, end: range.end }),
        { statsSnapshots: false },
      );
      if (opts.json) {
        ctx.out(
          toJson({
            ...report,
            parts: report.parts.map((p) => ({ tier: p.tier, range: rangeToJson(p.range) })),
            missing: report.missing.map(rangeToJson),
            plannedRequests: report.plannedRequests.map(rangeToJson),
            offline: ctx.globals().offline,
          }),
        );
        return;
      }
      ctx.out(explainText(report, ctx.globals().offline));
    });
}
