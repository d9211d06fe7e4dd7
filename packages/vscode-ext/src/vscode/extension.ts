import * as vscode from 'vscode';
import type { SymbolNode, MessageNode } from '../series-tree-model.js';
import type { BarcacheSettings } from '../settings.js';
import { CacheSessions } from './cache-session.js';
import { registerCommands } from './commands/index.js';
import { getConfig, SECTION } from './config.js';
import { SeriesTreeProvider } from './series-tree.js';
import { StatsController, type StatusBarState } from './stats-controller.js';
import { StatsPanel } from './stats-panel.js';
import { registerTestHooks } from './test-hooks.js';

/** What `activate` returns: a small API for tests and other extensions (read-only views of the state). */
export interface BarcacheApi {
  /** The status bar item as shown now. */
  statusBar(): StatusBarState;
  /** Re-reads the stats snapshots, then returns the status bar state. */
  refreshStats(): Promise<StatusBarState>;
  /** Loads the Cached Series tree (opening the cache briefly) and returns its roots. */
  seriesTree(): Promise<{ roots: SymbolNode[]; message?: MessageNode }>;
  /** The settings in effect. */
  settings(): BarcacheSettings;
  /** The stats view's last rendered body, if it was opened. */
  statsViewBody(): string | undefined;
}

/**
 * This activation's cache sessions, for `deactivate` (which VS Code calls without the context) to
 * wait on. The object itself lives in `context.subscriptions` with everything else.
 */
let activeSessions: CacheSessions | undefined;

export function activate(context: vscode.ExtensionContext): BarcacheApi {
  let settings = getConfig();
  const sessions = new CacheSessions();
  activeSessions = sessions;
  const output = vscode.window.createOutputChannel('Barcache');
  const stats = new StatsController(context, settings);
  const tree = new SeriesTreeProvider(settings, sessions);
  const panel = new StatsPanel(stats);
  const view = vscode.window.createTreeView('barcache.series', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(sessions, output, stats, tree, panel, view);

  const onWarmStart = registerTestHooks(context);
  registerCommands({ context, output, sessions, stats, tree, panel, ...(onWarmStart ? { onWarmStart } : {}) });

  // A backtest or CLI run that finished has written to disk: show its series. The Cached Series view
  // needs the snapshots for that while it is visible (the status bar and stats view hold them too).
  let viewHold: vscode.Disposable | undefined = view.visible ? stats.retain() : undefined;
  context.subscriptions.push(
    stats.onProcessEnded(() => {
      if (view.visible) tree.refresh();
    }),
    view.onDidChangeVisibility((e) => {
      if (e.visible) viewHold ??= stats.retain();
      else {
        viewHold?.dispose();
        viewHold = undefined;
      }
    }),
    { dispose: () => viewHold?.dispose() },
  );

  // Settings take effect without a reload.
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      settings = getConfig();
      stats.update(settings);
      tree.update(settings);
      output.appendLine(`[${new Date().toISOString()}] settings changed: cache ${settings.cacheDir}${settings.offline ? ', offline' : ''}`);
    }),
  );
  output.appendLine(`[${new Date().toISOString()}] Barcache active: cache ${settings.cacheDir}`);

  return {
    statusBar: () => stats.state(),
    refreshStats: () => stats.refresh(),
    seriesTree: () => tree.load(),
    settings: () => settings,
    statsViewBody: () => panel.lastBody,
  };
}

export async function deactivate(): Promise<void> {
  // Everything is in context.subscriptions (disposed right after this is called); the stats watcher
  // stops with its controller. No cache is open between commands, but a command may be running (a
  // warm, a listing): abort its session and wait until it has closed its cache, then mark this
  // process's stats snapshot closed so other tools stop counting it as live.
  const sessions = activeSessions;
  activeSessions = undefined;
  if (!sessions) return;
  const r = await sessions.close();
  if (r.timedOut) console.error(`Barcache: ${r.aborted} cache session(s) did not close in time on deactivation`);
}
