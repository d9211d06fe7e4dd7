import * as vscode from 'vscode';
import type { Interval, PrefetchReport } from '@barcache/cache-core';
import { parseArgs, warmArgsSchema } from '../../command-args.js';
import type { BacktestPlan } from '../../plan-file.js';
import { defaultRange, parseRange, parseSymbols, pushRecent, validateDateInput, validateSymbolsInput } from '../../quick-input.js';
import type { BarcacheSettings } from '../../settings.js';
import { progressMessage, summarizeWarm, type WarmSummary } from '../../warm-summary.js';
import { getConfig } from '../config.js';
import type { CommandDeps } from './command-deps.js';
import { pickInterval, pickOrType, RECENT_SYMBOLS } from './prompts.js';
import { WarmObservers } from './running-warm.js';

/** What `barcache.warm` and `barcache.warmFromPlan` return to automation. */
export interface WarmResult {
  report: PrefetchReport;
  summary: WarmSummary;
  cancelled: boolean;
}

/** `barcache.warm`: prompts for symbols, interval and range (or takes them as an argument), then warms. */
export async function warmCommand(deps: CommandDeps, arg: unknown): Promise<WarmResult | undefined> {
  const settings = getConfig();
  if (arg !== undefined) {
    const parsed = parseArgs(warmArgsSchema, arg);
    if (!parsed.ok) throw new TypeError(`barcache.warm: ${parsed.message}`);
    const a = parsed.value;
    const symbols = parseSymbols(a.symbols);
    if (!symbols.ok) throw new TypeError(`barcache.warm: ${symbols.message}`);
    const range = defaultRange(Date.now(), settings.defaultRangeDays);
    const plan: BacktestPlan = {
      symbols: symbols.symbols,
      interval: (a.interval as Interval | undefined) ?? settings.defaultInterval,
      start: a.start !== undefined ? String(a.start) : range.start,
      end: a.end !== undefined ? String(a.end) : range.end,
      ...(a.lookback ? { lookback: a.lookback } : {}),
    };
    return runWarm(deps, settings, plan, { interactive: false, quiet: a.quiet ?? true });
  }
  const plan = await promptWarmPlan(deps.context, settings);
  if (!plan) return undefined;
  return runWarm(deps, settings, plan, { interactive: true, quiet: false });
}

async function promptWarmPlan(context: vscode.ExtensionContext, settings: BarcacheSettings): Promise<BacktestPlan | undefined> {
  const recentSymbols = context.globalState.get<string[]>(RECENT_SYMBOLS, []);
  const symbolsText = await pickOrType({
    title: 'Barcache: Warm Cache (1/4) — symbols',
    placeholder: 'Symbols, comma or space separated (e.g. SPY, QQQ AAPL)',
    recent: recentSymbols,
    fallback: settings.defaultSymbols.join(', '),
    validate: validateSymbolsInput,
  });
  if (symbolsText === undefined) return undefined;
  const symbols = parseSymbols(symbolsText);
  if (!symbols.ok) return undefined;

  const interval = await pickInterval(context, settings.defaultInterval, 'Barcache: Warm Cache (2/4) — interval');
  if (!interval) return undefined;

  const now = Date.now();
  const range = defaultRange(now, settings.defaultRangeDays);
  const start = await vscode.window.showInputBox({
    title: 'Barcache: Warm Cache (3/4) — start',
    prompt: 'First date the backtest reads (YYYY-MM-DD, today, -30d, -6m, -1y)',
    value: range.start,
    validateInput: (v) => validateDateInput(v, now),
    ignoreFocusOut: true,
  });
  if (start === undefined) return undefined;
  const end = await vscode.window.showInputBox({
    title: 'Barcache: Warm Cache (4/4) — end',
    prompt: 'Last date (inclusive)',
    value: range.end,
    validateInput: (v) => {
      const r = parseRange(start, v, now);
      return r.ok ? undefined : r.message;
    },
    ignoreFocusOut: true,
  });
  if (end === undefined) return undefined;
  const r = parseRange(start, end, now);
  if (!r.ok) return undefined;
  await context.globalState.update(RECENT_SYMBOLS, pushRecent(recentSymbols, symbols.symbols.join(', ')));
  return { symbols: symbols.symbols, interval, start: r.value.start, end: r.value.end };
}

/**
 * Warms a plan with a cancellable progress notification, then logs and records the summary,
 * refreshes the tree and stats, and (unless quiet) shows it. Shared by Warm Cache, Warm from
 * Backtest Plan and Explain Range's "Warm It".
 */
export async function runWarm(deps: CommandDeps, settings: BarcacheSettings, plan: BacktestPlan, o: { interactive: boolean; quiet: boolean }): Promise<WarmResult> {
  const title = `Barcache: warming ${plan.symbols.length} ${plan.symbols.length === 1 ? 'symbol' : 'symbols'} (${plan.interval}, ${plan.start} → ${plan.end})`;
  // Cancel (the notification's button) aborts this; the session's own signal also aborts when the
  // extension deactivates mid-warm.
  const controller = new AbortController();
  const observers = new WarmObservers(() => controller.abort());
  let session: AbortSignal | undefined;
  let result: PrefetchReport;
  try {
    deps.onWarmStart?.(observers);
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const onCancel = token.onCancellationRequested(() => controller.abort());
      try {
        progress.report({ message: `opening ${settings.cacheDir}…` });
        return await deps.sessions.withCache(
          settings,
          async (cache, signal) => {
            session = signal;
            progress.report({ message: `0/${plan.symbols.length}` });
            const warmed = await cache.prefetch({
              symbols: plan.symbols,
              interval: plan.interval,
              start: plan.start,
              end: plan.end,
              ...(plan.lookback ? { lookback: plan.lookback } : {}),
              signal,
              onProgress: (e) => {
                progress.report({ increment: 100 / e.total, message: progressMessage(e) });
                observers.progress(e.done, e.total);
              },
            });
            warmed.release(); // a warm keeps nothing pinned: the cache closes right after
            return warmed.report;
          },
          // A cancel while the LOCKED/Retry prompt is open ends the command (quietly) at once.
          { interactive: o.interactive, signal: controller.signal },
        );
      } finally {
        onCancel.dispose();
      }
    });
  } finally {
    observers.end();
  }
  const cancelled = controller.signal.aborted || session?.aborted === true;
  const summary = summarizeWarm(result, { cancelled });
  deps.output.appendLine(`[${new Date().toISOString()}] ${summary.message}`);
  for (const line of summary.lines) deps.output.appendLine(line);
  await deps.stats.recordWarm({
    at: Date.now(),
    symbols: result.symbols.length,
    failed: summary.failed.length,
    interval: result.interval,
    providerCalls: result.providerCalls,
    barsFetched: result.barsFetched,
    elapsedMs: Math.round(result.elapsedMs),
    ...(cancelled ? { cancelled } : {}),
  });
  deps.tree.refresh();
  void deps.stats.refresh();
  if (!o.quiet) {
    const show = summary.severity === 'info' ? vscode.window.showInformationMessage : summary.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    const buttons = summary.failed.length > 0 ? ['Show Output', 'Show Stats'] : ['Show Stats'];
    void show(summary.message, ...buttons).then((c) => {
      if (c === 'Show Output') deps.output.show(true);
      else if (c === 'Show Stats') void vscode.commands.executeCommand('barcache.showStats');
    });
  }
  return { report: result, summary, cancelled };
}
