import { Command } from 'commander';
import { BarcacheError, ErrorCode } from '../../errors.js';
import { toJson, withCache, type CliContext } from '../context.js';
import { parseExplicitRange, parseIntervalOption } from '../options.js';
import { normalizeSymbol } from '../../time-input.js';
import type { BarProvider, Interval } from '../../types.js';
import { inclusiveRangeToJson, rangeToJson } from '../format.js';
import { explainText } from '../tables.js';

interface ExplainOptions {
  interval?: string;
  provider?: string;
  json?: boolean;
}

/** The name the default provider (Yahoo) stores its series under. */
const DEFAULT_PROVIDER = 'yahoo';

/**
 * The provider an explain is about: `--provider`, else the only provider holding the series
 * (imported files are stored under their own name), else Yahoo.
 */
function chooseProvider(listed: readonly { provider: string; symbol: string; interval: Interval }[], symbol: string, interval: Interval): string {
  const holders = [...new Set(listed.filter((s) => s.symbol === symbol && s.interval === interval).map((s) => s.provider))];
  return holders.length === 1 ? holders[0]! : DEFAULT_PROVIDER;
}

/** A provider that only lends its name: explain plans requests but never makes them. */
function namedProvider(name: string): BarProvider {
  return {
    name,
    fetchBars: () => Promise.reject(new BarcacheError(ErrorCode.OFFLINE_MISS, `explain never fetches (${name})`)),
  };
}

/** `barcache explain <symbol> <from> <to>`: which tier would serve each part, and what is missing. */
export function explainCommand(ctx: CliContext): Command {
  return new Command('explain')
    .description('show which sub-ranges would come from L1, L2 or the provider, and the requests a fetch would make')
    .argument('<symbol>', 'ticker')
    .argument('<from>', 'first date, YYYY-MM-DD (or a date-time, or epoch ms)')
    .argument('<to>', 'last date, YYYY-MM-DD, inclusive')
    .option('-i, --interval <interval>', 'bar interval', '1d')
    .option('--provider <name>', 'the provider whose series to explain (default: the one holding it, else yahoo)')
    .option('--json', 'print the explain report as JSON')
    .action(async (rawSymbol: string, from: string, to: string, opts: ExplainOptions) => {
      const symbol = normalizeSymbol(rawSymbol);
      const interval = parseIntervalOption(opts.interval);
      const range = parseExplicitRange(from, to, interval);
      const provider =
        opts.provider ??
        chooseProvider(await withCache(ctx, 'explain', (cache) => cache.listSeries(), { statsSnapshots: false }, 'read'), symbol, interval);
      const report = await withCache(
        ctx,
        'explain',
        (cache) => cache.explain({ symbol, interval, start: range.start, end: range.end }),
        { statsSnapshots: false, ...(provider !== DEFAULT_PROVIDER ? { provider: namedProvider(provider) } : {}) },
        'read',
      );
      if (opts.json) {
        ctx.out(
          toJson({
            ...report,
            provider,
            from,
            to,
            range: inclusiveRangeToJson(report.start, report.end),
            parts: report.parts.map((p) => ({ tier: p.tier, range: rangeToJson(p.range) })),
            missing: report.missing.map(rangeToJson),
            plannedRequests: report.plannedRequests.map(rangeToJson),
            offline: ctx.globals().offline,
          }),
        );
        return;
      }
      ctx.out(explainText(report, ctx.globals().offline, { asGiven: { from, to }, provider }));
    });
}
