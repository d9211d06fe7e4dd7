import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ClearFilter, ExplainReport, Interval, PrefetchReport } from '@barcache/cache-core';
import { clearArgsSchema, explainArgsSchema, parseArgs, planArgsSchema, warmArgsSchema } from '../command-args.js';
import { errorText, isLockedError, lockedMessage } from '../error-text.js';
import { explainText } from '../explain-text.js';
import { type BacktestPlan, PLAN_FILE_GLOB, parsePlanFile } from '../plan-file.js';
import { defaultRange, INTERVAL_LIST, isInterval, parseDate, parseRange, parseSymbols, pushRecent, validateDateInput, validateSymbolsInput } from '../quick-input.js';
import type { SeriesNode } from '../series-tree-model.js';
import type { BarcacheSettings } from '../settings.js';
import { progressMessage, summarizeWarm, type WarmSummary } from '../warm-summary.js';
import { CancelledByUser, withCache } from './cache-session.js';
import { getConfig, updateSetting } from './config.js';
import type { SeriesTreeProvider } from './series-tree.js';
import type { StatsController } from './stats-controller.js';
import type { StatsPanel } from './stats-panel.js';

const RECENT_SYMBOLS = 'barcache.recentSymbols';
const RECENT_INTERVALS = 'barcache.recentIntervals';

export interface WarmResult {
  report: PrefetchReport;
  summary: WarmSummary;
  cancelled: boolean;
}

export interface CommandDeps {
  context: vscode.ExtensionContext;
  output: vscode.OutputChannel;
  stats: StatsController;
  tree: SeriesTreeProvider;
  panel: StatsPanel;
}

/**
 * Registers the Barcache commands. Each accepts an optional argument object for automation
 * (tests, tasks, keybindings); given one, it prompts for nothing, returns its result, and lets
 * errors reject the command instead of showing them.
 */
export function registerCommands(deps: CommandDeps): void {
  const { context } = deps;
  const reg = (id: string, fn: (...args: unknown[]) => Promise<unknown> | unknown) => {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        const automated = args.length > 0 && args[0] !== undefined && !(args[0] instanceof vscode.Uri) && !isTreeNode(args[0]);
        try {
          return await fn(...args);
        } catch (err) {
          if (err instanceof CancelledByUser) return undefined;
          if (automated) throw err;
          showCommandError(deps, id, err);
          return undefined;
        }
      }),
    );
  };

  reg('barcache.warm', (arg) => warmCommand(deps, arg));
  reg('barcache.warmFromPlan', (arg) => warmFromPlanCommand(deps, arg));
  reg('barcache.showStats', () => {
    deps.panel.show();
    return deps.stats.refresh().then(() => deps.panel.lastBody);
  });
  reg('barcache.clear', (arg) => clearCommand(deps, arg));
  reg('barcache.clearSeries', (node) => clearSeriesCommand(deps, node));
  reg('barcache.explain', (arg) => explainCommand(deps, arg));
  reg('barcache.openCacheFolder', (arg) => openCacheFolderCommand(arg));
  reg('barcache.toggleOffline', async () => {
    const next = !getConfig().offline;
    await updateSetting('offline', next);
    void vscode.window.setStatusBarMessage(`Barcache: offline mode ${next ? 'on — the provider will not be called' : 'off'}`, 4000);
    return next;
  });
  reg('barcache.refreshSeries', async () => {
    const r = await deps.tree.load();
    await deps.stats.refresh();
    return r;
  });
}

/** How an interactive command reports a failure: logged, and shown (LOCKED names the holder). A cancel is quiet. */
function showCommandError(deps: CommandDeps, id: string, err: unknown): void {
  if (err instanceof CancelledByUser) return;
  deps.output.appendLine(`[${new Date().toISOString()}] ${id} failed: ${errorText(err)}`);
  if (isLockedError(err)) void vscode.window.showWarningMessage(lockedMessage(err, getConfig().cacheDir));
  else void vscode.window.showErrorMessage(`Barcache: ${errorText(err)}`, 'Show Output').then((c) => c && deps.output.show(true));
}

function isTreeNode(v: unknown): v is SeriesNode {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && typeof (v as { id?: unknown }).id === 'string';
}

// ---------------------------------------------------------------------------------------------
// Warm

async function warmCommand(deps: CommandDeps, arg: unknown): Promise<WarmResult | undefined> {
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
    return runWarm(deps, settings, plan, {
      interactive: false,
      quiet: a.quiet ?? true,
      ...(a.cancelAfterMs !== undefined ? { cancelAfterMs: a.cancelAfterMs } : {}),
      ...(a.cancelAfterSymbols !== undefined ? { cancelAfterSymbols: a.cancelAfterSymbols } : {}),
    });
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

/** A quick pick of recent values that also accepts typed text. */
async function pickOrType(o: { title: string; placeholder: string; recent: string[]; fallback: string; validate: (v: string) => string | undefined }): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick();
  qp.title = o.title;
  qp.placeholder = o.placeholder;
  qp.ignoreFocusOut = true;
  const base = (o.recent.length > 0 ? o.recent : [o.fallback]).map((label, i) => ({ label, description: o.recent.length > 0 ? (i === 0 ? 'last used' : 'recent') : 'default' }));
  qp.items = base;
  qp.value = '';
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: string | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      qp.dispose();
    };
    qp.onDidChangeValue((v) => {
      const typed = v.trim();
      if (typed === '') {
        qp.items = base;
        return;
      }
      const msg = o.validate(typed);
      qp.items = [{ label: typed, description: msg ? `$(error) ${msg}` : 'use these', alwaysShow: true }, ...base.filter((b) => b.label !== typed)];
    });
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0]?.label ?? qp.value.trim();
      if (!chosen || o.validate(chosen) !== undefined) return;
      finish(chosen);
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

async function pickInterval(context: vscode.ExtensionContext, preferred: Interval, title: string): Promise<Interval | undefined> {
  const recent = context.globalState.get<string[]>(RECENT_INTERVALS, []).filter(isInterval);
  const order = [...new Set<Interval>([...recent, preferred, ...INTERVAL_LIST])];
  const pick = await vscode.window.showQuickPick(
    order.map((i) => ({ label: i, description: i === preferred ? 'default' : recent.includes(i) ? 'recent' : '' })),
    { title, placeHolder: 'Bar interval', ignoreFocusOut: true },
  );
  if (!pick || !isInterval(pick.label)) return undefined;
  await context.globalState.update(RECENT_INTERVALS, pushRecent(recent, pick.label));
  return pick.label;
}

async function runWarm(
  deps: CommandDeps,
  settings: BarcacheSettings,
  plan: BacktestPlan,
  o: { interactive: boolean; quiet: boolean; cancelAfterMs?: number; cancelAfterSymbols?: number },
): Promise<WarmResult> {
  const title = `Barcache: warming ${plan.symbols.length} ${plan.symbols.length === 1 ? 'symbol' : 'symbols'} (${plan.interval}, ${plan.start} → ${plan.end})`;
  // Cancel (the notification's button, or automation's cancelAfter*) aborts this; the session's own
  // signal also aborts when the extension deactivates mid-warm.
  const controller = new AbortController();
  let session: AbortSignal | undefined;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const onCancel = token.onCancellationRequested(() => controller.abort());
      const timer = o.cancelAfterMs !== undefined ? setTimeout(() => controller.abort(), o.cancelAfterMs) : undefined;
      try {
        progress.report({ message: `opening ${settings.cacheDir}…` });
        return await withCache(
          settings,
          async (cache, signal) => {
            session = signal;
            const total = plan.symbols.length;
            progress.report({ message: `0/${total}` });
            const warmed = await cache.prefetch({
              symbols: plan.symbols,
              interval: plan.interval,
              start: plan.start,
              end: plan.end,
              ...(plan.lookback ? { lookback: plan.lookback } : {}),
              signal,
              onProgress: (e) => {
                progress.report({ increment: 100 / e.total, message: progressMessage(e) });
                if (o.cancelAfterSymbols !== undefined && e.done >= o.cancelAfterSymbols) controller.abort();
              },
            });
            warmed.release(); // a warm keeps nothing pinned: the cache closes right after
            return warmed.report;
          },
          // A cancel while the LOCKED/Retry prompt is open ends the command (quietly) at once.
          { interactive: o.interactive, signal: controller.signal },
        );
      } finally {
        if (timer) clearTimeout(timer);
        onCancel.dispose();
      }
    },
  );
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

// ---------------------------------------------------------------------------------------------
// Warm from Backtest Plan

async function warmFromPlanCommand(deps: CommandDeps, arg: unknown): Promise<WarmResult | undefined> {
  const settings = getConfig();
  let uri: vscode.Uri | undefined;
  let automated = false;
  let quiet = false;
  if (arg instanceof vscode.Uri) uri = arg;
  else if (arg !== undefined) {
    const parsed = parseArgs(planArgsSchema, arg);
    if (!parsed.ok) throw new TypeError(`barcache.warmFromPlan: ${parsed.message}`);
    const p = parsed.value.path;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    uri = vscode.Uri.file(path.isAbsolute(p) || !folder ? p : path.join(folder, p));
    automated = true;
    quiet = parsed.value.quiet ?? true;
  } else {
    uri = await findPlanFile();
    if (!uri) return undefined;
  }
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  const parsed = parsePlanFile(text);
  if (!parsed.ok) {
    const message = `Barcache: ${vscode.workspace.asRelativePath(uri)} is not a valid backtest plan: ${parsed.message}`;
    if (automated) throw new TypeError(message);
    void vscode.window.showErrorMessage(message, 'Open Plan').then((c) => c && vscode.window.showTextDocument(uri));
    return undefined;
  }
  return runWarm(deps, settings, parsed.plan, { interactive: !automated, quiet });
}

async function findPlanFile(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active && /(\.barcache\.json|[\\/]barcache\.plan\.json)$/.test(active.uri.path)) return active.uri;
  const found = vscode.workspace.workspaceFolders ? await vscode.workspace.findFiles(PLAN_FILE_GLOB, '**/node_modules/**', 50) : [];
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    const pick = await vscode.window.showQuickPick(
      found.map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(u), uri: u })),
      { title: 'Barcache: Warm from Backtest Plan', placeHolder: 'Which plan?' },
    );
    return pick?.uri;
  }
  const choice = await vscode.window.showInformationMessage(
    'No backtest plan found (a *.barcache.json or barcache.plan.json file in the workspace with symbols, interval, start, end and lookback).',
    'Choose File…',
    'Create Example',
  );
  if (choice === 'Choose File…') {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Backtest plan': ['json'] }, title: 'Backtest plan' });
    return picked?.[0];
  }
  if (choice === 'Create Example') {
    const doc = await vscode.workspace.openTextDocument({
      language: 'json',
      content: `${JSON.stringify({ name: 'example', symbols: ['SPY', 'QQQ'], interval: '1d', start: '2023-01-01', end: '2024-12-31', lookback: { bars: 200 } }, null, 2)}\n`,
    });
    await vscode.window.showTextDocument(doc);
    void vscode.window.showInformationMessage('Save it as something.barcache.json in the workspace, then run Warm from Backtest Plan again.');
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Clear

async function clearCommand(deps: CommandDeps, arg: unknown): Promise<{ cleared: ClearFilter | 'all' } | undefined> {
  const settings = getConfig();
  let filter: ClearFilter | 'all';
  let confirm = true;
  if (arg !== undefined) {
    const parsed = parseArgs(clearArgsSchema, arg);
    if (!parsed.ok) throw new TypeError(`barcache.clear: ${parsed.message}`);
    const a = parsed.value;
    confirm = a.confirm ?? true;
    filter = a.all
      ? 'all'
      : {
          ...(a.symbol !== undefined ? { symbol: a.symbol } : {}),
          ...(a.interval !== undefined ? { interval: a.interval as Interval } : {}),
          ...(a.before !== undefined ? { before: a.before } : {}),
        };
  } else {
    const chosen = await promptClearFilter(deps.context, settings);
    if (!chosen) return undefined;
    filter = chosen;
  }
  return doClear(deps, settings, filter, { confirm, interactive: arg === undefined });
}

async function clearSeriesCommand(deps: CommandDeps, node: unknown): Promise<{ cleared: ClearFilter | 'all' } | undefined> {
  if (!isTreeNode(node) || (node.kind !== 'symbol' && node.kind !== 'series')) {
    return clearCommand(deps, undefined);
  }
  const filter: ClearFilter = node.kind === 'symbol' ? { symbol: node.symbol } : { symbol: node.symbol, interval: node.interval };
  return doClear(deps, getConfig(), filter, { confirm: true, interactive: true });
}

function describeFilter(filter: ClearFilter | 'all'): string {
  if (filter === 'all') return 'everything';
  const parts: string[] = [];
  if (filter.symbol) parts.push(filter.symbol.toUpperCase());
  if (filter.interval) parts.push(`${filter.interval} bars`);
  const what = parts.length > 0 ? parts.join(' ') : 'all series';
  return filter.before !== undefined ? `${what} before ${String(filter.before)}` : what;
}

async function doClear(
  deps: CommandDeps,
  settings: BarcacheSettings,
  filter: ClearFilter | 'all',
  o: { confirm: boolean; interactive: boolean },
): Promise<{ cleared: ClearFilter | 'all' } | undefined> {
  const what = describeFilter(filter);
  if (o.confirm) {
    const ok = await vscode.window.showWarningMessage(
      `Clear ${what} from the Barcache cache?`,
      { modal: true, detail: `${settings.cacheDir}\nThe bars will be fetched again from the provider the next time they are needed.` },
      'Clear',
    );
    if (ok !== 'Clear') return undefined;
  }
  await withCache(settings, (cache) => cache.clear(filter === 'all' ? {} : filter), { interactive: o.interactive });
  deps.output.appendLine(`[${new Date().toISOString()}] cleared ${what} from ${settings.cacheDir}`);
  deps.tree.refresh();
  void deps.stats.refresh();
  if (o.interactive) void vscode.window.showInformationMessage(`Barcache: cleared ${what}.`);
  return { cleared: filter };
}

async function promptClearFilter(context: vscode.ExtensionContext, settings: BarcacheSettings): Promise<ClearFilter | 'all' | undefined> {
  const kind = await vscode.window.showQuickPick(
    [
      { label: '$(symbol-constant) One symbol…', id: 'symbol', detail: 'Every interval of one ticker' },
      { label: '$(graph-line) One interval…', id: 'interval', detail: 'One bar size for every ticker (e.g. all 1m bars)' },
      { label: '$(calendar) Before a date…', id: 'before', detail: 'Drop old history of every series' },
      { label: '$(trash) Everything', id: 'all', detail: settings.cacheDir },
    ],
    { title: 'Barcache: Clear Cache', placeHolder: 'What to clear?' },
  );
  if (!kind) return undefined;
  switch (kind.id) {
    case 'all':
      return 'all';
    case 'symbol': {
      const v = await vscode.window.showInputBox({ title: 'Barcache: Clear one symbol', prompt: 'Ticker', validateInput: (s) => {
        const r = parseSymbols(s);
        return r.ok ? (r.symbols.length === 1 ? undefined : 'One symbol at a time') : r.message;
      } });
      const r = v === undefined ? undefined : parseSymbols(v);
      return r?.ok ? { symbol: r.symbols[0]! } : undefined;
    }
    case 'interval': {
      const i = await pickInterval(context, settings.defaultInterval, 'Barcache: Clear one interval');
      return i ? { interval: i } : undefined;
    }
    case 'before': {
      const now = Date.now();
      const v = await vscode.window.showInputBox({ title: 'Barcache: Clear before a date', prompt: 'Drop bars before (YYYY-MM-DD, -1y…)', value: '-1y', validateInput: (s) => validateDateInput(s, now) });
      const d = v === undefined ? undefined : parseDate(v, now);
      return d?.ok ? { before: d.value } : undefined;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Explain Range

async function explainCommand(deps: CommandDeps, arg: unknown): Promise<ExplainReport | undefined> {
  const settings = getConfig();
  let q: { symbol: string; interval: Interval; start: string | number; end: string | number };
  let quiet = false;
  if (arg !== undefined) {
    const parsed = parseArgs(explainArgsSchema, arg);
    if (!parsed.ok) throw new TypeError(`barcache.explain: ${parsed.message}`);
    const a = parsed.value;
    q = { symbol: a.symbol, interval: (a.interval as Interval | undefined) ?? settings.defaultInterval, start: a.start, end: a.end };
    quiet = a.quiet ?? true;
  } else {
    const recent = deps.context.globalState.get<string[]>(RECENT_SYMBOLS, []);
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
    const interval = await pickInterval(deps.context, settings.defaultInterval, 'Barcache: Explain Range (2/3) — interval');
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
    q = { symbol: s.symbols[0]!, interval, start: r.value.start, end: r.value.end };
  }
  const report = await withCache(settings, (cache) => cache.explain(q), { interactive: arg === undefined });
  const t = explainText(report);
  deps.output.appendLine(`[${new Date().toISOString()}] explain`);
  for (const line of t.lines) deps.output.appendLine(line);
  if (!quiet) {
    void vscode.window.showInformationMessage(`Barcache: ${t.summary}`, 'Show Details', ...(report.plannedRequests.length > 0 ? ['Warm It'] : [])).then((c) => {
      if (c === 'Show Details') deps.output.show(true);
      else if (c === 'Warm It') {
        // The user clicked: an interactive warm (LOCKED offers Retry, failures are shown), not automation.
        const plan: BacktestPlan = { symbols: [q.symbol.toUpperCase()], interval: q.interval, start: dateArg(q.start), end: dateArg(q.end) };
        runWarm(deps, getConfig(), plan, { interactive: true, quiet: false }).catch((err: unknown) => showCommandError(deps, 'barcache.explain (Warm It)', err));
      }
    });
  }
  return report;
}

/** A plan date from an explain argument: epoch ms as an ISO date-time, strings as given. */
function dateArg(v: string | number): string {
  return typeof v === 'number' ? new Date(v).toISOString() : v;
}

// ---------------------------------------------------------------------------------------------
// Open Cache Folder

async function openCacheFolderCommand(arg: unknown): Promise<string | undefined> {
  const dir = getConfig().cacheDir;
  if (arg !== undefined) return dir;
  if (!fs.existsSync(dir)) {
    void vscode.window.showInformationMessage(`Barcache: the cache folder ${dir} does not exist yet (warm something first).`);
    return dir;
  }
  const uri = vscode.Uri.file(dir);
  const local = vscode.env.remoteName === undefined && vscode.env.uiKind === vscode.UIKind.Desktop;
  const items = [
    ...(local ? [{ label: '$(folder-opened) Reveal in File Manager', id: 'reveal' }] : []),
    { label: '$(add) Add to Workspace', id: 'add' },
    { label: '$(empty-window) Open in New Window', id: 'window' },
    { label: '$(copy) Copy Path', id: 'copy' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: `Barcache cache folder: ${dir}` });
  switch (pick?.id) {
    case 'reveal':
      await vscode.commands.executeCommand('revealFileInOS', uri);
      break;
    case 'add':
      vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri, name: 'Barcache cache' });
      break;
    case 'window':
      await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
      break;
    case 'copy':
      await vscode.env.clipboard.writeText(dir);
      void vscode.window.setStatusBarMessage('Barcache: cache path copied', 3000);
      break;
  }
  return dir;
}
