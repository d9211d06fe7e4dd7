import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { errorText, isLockedError, lockedMessage } from '../error-text.js';

function pidOf(details: Record<string, unknown> | undefined): string | undefined {
  const h = details?.holder as { pid?: unknown } | undefined;
  return typeof h?.pid === 'number' ? `pid ${h.pid}` : undefined;
}
import { buildSeriesTree, type IntervalNode, type MessageNode, type SeriesNode, type SymbolNode } from '../series-tree-model.js';
import type { BarcacheSettings } from '../settings.js';
import type { CacheSessions } from './cache-session.js';

/** A collapsed item for a node with children (a symbol or one of its series). */
function parentItem(node: SymbolNode | IntervalNode, contextValue: string, icon: string): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.description = node.description;
  item.tooltip = node.tooltip;
  item.contextValue = contextValue;
  item.iconPath = new vscode.ThemeIcon(icon);
  return item;
}

/**
 * The Cached Series view: symbol → interval → covered ranges. Listing opens the cache briefly
 * (short lock wait, never a prompt); when a backtest holds it, the view says who and keeps the
 * last listing.
 */
export class SeriesTreeProvider implements vscode.TreeDataProvider<SeriesNode>, vscode.Disposable {
  readonly #onDidChange = new vscode.EventEmitter<SeriesNode | undefined>();
  readonly onDidChangeTreeData = this.#onDidChange.event;
  #roots: SymbolNode[] | undefined;
  #message: MessageNode | undefined;
  #loading: Promise<void> | undefined;
  #settings: BarcacheSettings;

  readonly #sessions: CacheSessions;

  constructor(settings: BarcacheSettings, sessions: CacheSessions) {
    this.#settings = settings;
    this.#sessions = sessions;
  }

  update(settings: BarcacheSettings): void {
    const dirChanged = settings.cacheDir !== this.#settings.cacheDir;
    this.#settings = settings;
    if (dirChanged) this.refresh();
  }

  /** Forgets the listing; the view reloads it when shown (or now, via `load`). */
  refresh(): void {
    this.#roots = undefined;
    this.#onDidChange.fire(undefined);
  }

  /** Loads the listing now (tests, and after commands) and returns it. */
  async load(): Promise<{ roots: SymbolNode[]; message?: MessageNode }> {
    await this.#loadOnce();
    this.#onDidChange.fire(undefined);
    return { roots: this.#roots ?? [], ...(this.#message ? { message: this.#message } : {}) };
  }

  async getChildren(element?: SeriesNode): Promise<SeriesNode[]> {
    if (element) return element.kind === 'symbol' || element.kind === 'series' ? element.children : [];
    if (this.#roots === undefined) await this.#loadOnce();
    const roots: SeriesNode[] = this.#roots ?? [];
    return this.#message ? [this.#message, ...roots] : roots;
  }

  getTreeItem(node: SeriesNode): vscode.TreeItem {
    switch (node.kind) {
      case 'symbol':
        return parentItem(node, 'barcache.symbol', 'symbol-constant');
      case 'series':
        return parentItem(node, 'barcache.series', 'graph-line');
      case 'range': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = node.description;
        item.contextValue = 'barcache.range';
        item.iconPath = new vscode.ThemeIcon('calendar');
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        if (node.description) item.description = node.description;
        if (node.tooltip) item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon('warning');
        item.command = { command: 'barcache.refreshSeries', title: 'Retry' };
        return item;
      }
    }
  }

  dispose(): void {
    this.#onDidChange.dispose();
  }

  /** Runs `#load`, or joins the one already running. */
  #loadOnce(): Promise<void> {
    if (!this.#loading) {
      this.#loading = this.#load().finally(() => {
        this.#loading = undefined;
      });
    }
    return this.#loading;
  }

  async #load(): Promise<void> {
    const settings = this.#settings;
    // Never create a cache dir just to list it.
    if (!fs.existsSync(path.join(settings.cacheDir, 'db'))) {
      this.#roots = [];
      this.#message = undefined;
      return;
    }
    try {
      const series = await this.#sessions.withCache(settings, (cache) => cache.listSeries(), { interactive: false, lockTimeoutMs: 300 });
      this.#roots = buildSeriesTree(series, Date.now());
      this.#message = undefined;
    } catch (err) {
      this.#roots ??= [];
      this.#message = isLockedError(err)
        ? {
            kind: 'message',
            id: 'msg:locked',
            label: 'Cache in use by another process',
            description: `${pidOf(err.details) ?? 'another process'} · click to retry`,
            tooltip: lockedMessage(err, settings.cacheDir),
          }
        : { kind: 'message', id: 'msg:error', label: 'Could not list the cache', description: errorText(err), tooltip: errorText(err) };
    }
  }
}
