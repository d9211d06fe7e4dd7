import * as vscode from 'vscode';
import type { ExplainReport, Interval } from '@barcache/cache-core';
import { explainArgsSchema, parseArgs } from '../../command-args.js';
import { explainText } from '../../explain-text.js';
import type { BacktestPlan } from '../../plan-file.js';
import { defaultRange, parseRange, parseSymbols } from '../../quick-input.js';
import type { BarcacheSettings } from '../../settings.js';
import { getConfig } from '../config.js';
import type { CommandDeps } from './command-deps.js';
import { pickInterval, RECENT_SYMBOLS } from './prompts.js';
import { showCommandError } from './show-command-error.js';
import { runWarm } from './warm.js';

interface ExplainQuery {
  symbol: string;
  interval: Interval;
  start: string | number;
  end: string | number;
}

/** `barcache.explain`: which tier would serve each part of a range, and what a read would fetch now. */
export async function explainCommand(deps: CommandDeps, arg: unknown): Promise<ExplainReport | undefined> {
  const settings = getConfig();
  let q: ExplainQuery;
  let quiet = false;
  if (arg !== undefined) {
    const parsed = parseArgs(explainArgsSchema, arg);
    if (!parsed.ok) throw new TypeError(`barcache.explain: ${parsed.message}`);
    const a = parsed.value;
    q = { symbol: a.symbol, interval: (a.interval as Interval | undefined) ?? settings.defaultInterval, start: a.start, end: a.end };
    quiet = a.quiet ?? true;
  } else {
    const asked = await promptExplainQuery(deps.context, settings);
    if (!asked) return undefined;
    q = asked;
  }
  const report = await deps.sessions.withCache(settings, (cache) => cache.explain(q), { interactive: arg === undefined });
  const t = explainText(report);
  deps.output.appendLine(`[${new Date().toISOString()}] explain`);
  for (const line of t.lines) deps.output.appendLine(line);
  if (!quiet) {
    void vscode.window.showInformationMessage(`Barcache: ${t.summary}`, 'Show Details', ...(report.plannedRequests.length > 0 ? ['Warm It'] : [])).then((c) => {
      if (c === 'Show Details') deps.output.show(true);
      else if (c === 'Warm It') {
        // The user clicked: an interactive warm (LOCKED offers Retry, failures are shown), not automation.
        const plan: BacktestPlan = { symbols: [q.symbol.toUpperCase()], interval: q.interval, start: dateArg(q.start), end: dateArg(q.end) };
        runWarm(deps, getConfig(), plan, { interactive: true, quiet: false }).catch((err: unknown) => showCommandError(deps.output, 'barcache.explain (Warm It)', err));
      }
    });
  }
  return report;
}

async function promptExplainQuery(context: vscode.ExtensionContext, settings: BarcacheSettings): Promise<ExplainQuery | undefined> {
  const recent = context.globalState.get<string[]>(RECENT_SYMBOLS, []);
  const first = parseSymbols(recent[0] ?? settings.defaultSymbols.join(','));
  const sym = await vscode.window.showInputBox({
    title: 'Barcache: Explain Range (1/3) — symbol',
    value: first.ok ? first.symbols[0] : 'SPY',
    validateInput: (s) => {
      const r = parseSymbols(s);
      return r.ok ? (r.symbols.length === 1 ? undefined : 'One symbol') : r.message;
    },
  });
  if (sym === undefined) return undefined;
  const interval = await pickInterval(context, settings.defaultInterval, 'Barcache: Explain Range (2/3) — interval');
  if (!interval) return undefined;
  const now = Date.now();
  const range = defaultRange(now, settings.defaultRangeDays);
  const text = await vscode.window.showInputBox({
    title: 'Barcache: Explain Range (3/3) — range',
    prompt: 'start..end (YYYY-MM-DD, today, -30d…)',
    value: `${range.start}..${range.end}`,
    validateInput: (v) => {
      const [a, b] = v.split('..');
      const r = parseRange(a ?? '', b ?? '', now);
      return r.ok ? undefined : r.message;
    },
  });
  if (text === undefined) return undefined;
  const [a, b] = text.split('..');
  const r = parseRange(a ?? '', b ?? '', now);
  if (!r.ok) return undefined;
  const s = parseSymbols(sym);
  if (!s.ok) return undefined;
  return { symbol: s.symbols[0]!, interval, start: r.value.start, end: r.value.end };
}

/** A plan date from an explain argument: epoch ms as an ISO date-time, strings as given. */
function dateArg(v: string | number): string {
  return typeof v === 'number' ? new Date(v).toISOString() : v;
}
