import * as vscode from 'vscode';
import { readRunHistory } from '@barcache/cache-core';
import { makeNonce, renderStatsBody, renderStatsPage } from '../stats-html.js';
import { runViews, type RunView } from '../stats-model.js';
import type { StatsController } from './stats-controller.js';

/** The Barcache Stats webview: per-tier counts and the hit rate over time. One panel, revealed again when reopened. */
export class StatsPanel implements vscode.Disposable {
  static readonly viewType = 'barcache.stats';
  #panel: vscode.WebviewPanel | undefined;
  #sub: vscode.Disposable | undefined;
  /** Keeps the stats snapshots watched while the panel is open (even with the status bar off). */
  #hold: vscode.Disposable | undefined;
  /** The last body rendered (tests read it). */
  lastBody: string | undefined;
  /** The cache dir's run history, re-read whenever the stats change (a process that closes adds a run). */
  #runs: RunView[] = [];

  constructor(private readonly stats: StatsController) {}

  show(): void {
    if (this.#panel) {
      this.#panel.reveal(undefined, true);
      this.#post();
      return;
    }
    const panel = vscode.window.createWebviewPanel(StatsPanel.viewType, 'Barcache Stats', { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [],
      retainContextWhenHidden: false,
    });
    this.#panel = panel;
    const body = this.#body();
    panel.webview.html = renderStatsPage({ nonce: makeNonce(), cspSource: panel.webview.cspSource, body });
    this.#sub = this.stats.onDidChange(() => this.#refreshRuns());
    this.#refreshRuns();
    this.#hold = this.stats.retain();
    panel.onDidDispose(() => {
      this.#sub?.dispose();
      this.#sub = undefined;
      this.#hold?.dispose();
      this.#hold = undefined;
      this.#panel = undefined;
    });
    panel.onDidChangeViewState(() => {
      if (panel.visible) this.#post();
    });
  }

  get isOpen(): boolean {
    return this.#panel !== undefined;
  }

  dispose(): void {
    this.#sub?.dispose();
    this.#hold?.dispose();
    this.#panel?.dispose();
  }

  #body(): string {
    this.lastBody = renderStatsBody(this.stats.view, this.stats.history.samples, Date.now(), this.#runs);
    return this.lastBody;
  }

  /** Re-reads the run history, then re-renders (an unreadable history shows as none). */
  #refreshRuns(): void {
    void readRunHistory(this.stats.view.dir, { limit: 10 })
      .then((runs) => runViews(runs), () => [])
      .then((runs) => {
        this.#runs = runs;
        this.#post();
      });
  }

  #post(): void {
    if (!this.#panel?.visible) return;
    void this.#panel.webview.postMessage({ type: 'update', body: this.#body() });
  }
}
