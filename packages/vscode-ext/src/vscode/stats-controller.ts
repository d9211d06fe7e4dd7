import * as vscode from 'vscode';
import { aggregateStats, readStatsSnapshots } from '@barcache/cache-core';
import type { BarcacheSettings } from '../settings.js';
import { StatsHistory } from '../stats-history.js';
import { type LastWarm, type StatsView, type StatusBarModel, statusBarModel } from '../stats-model.js';
import { sharedFaultNotice, sharedTransition } from '../shared-tier-view.js';
import { type SnapshotReader, type StatsSnapshot, StatsWatcher, viewFromSnapshots } from '../stats-watcher.js';

const LAST_WARM_KEY = 'barcache.lastWarm';

/** The snapshots that count: not stale (dead pid or not updated for staleMs). */
const readLive: SnapshotReader = async (dir, o) => (await readStatsSnapshots(dir, o)).filter((e) => !e.stale).map((e) => e.snapshot);

/** Live processes and recently closed ones (until they go stale) both count, so a finished CLI warm still shows for a while. */
const aggregate = (snapshots: StatsSnapshot[]) => aggregateStats(snapshots, { include: ['live', 'closed'] });

/**
 * The status bar item as VS Code was given it: text, tooltip, accessibility label and command are
 * read back from the StatusBarItem, `visible` is whether `show()` (true) or `hide()` (false) was called
 * last, `state` is what the last render drew.
 */
export interface StatusBarState {
  visible: boolean;
  text: string;
  tooltip: string;
  accessibilityLabel: string;
  command: string | undefined;
  state: StatusBarModel['state'];
  view: StatsView;
  /** How many times the "team cache unreachable" notice was shown (once per outage). */
  sharedFaultNotices: number;
  /** Whether the snapshots are being watched (status bar shown, or someone holds `retain()`). */
  watching: boolean;
}

/**
 * Keeps the aggregated stats of every process using the cache dir (watching `<dir>/stats/`, with a
 * poll as a fallback), the hit-rate history, and the status bar item showing them.
 */
export class StatsController implements vscode.Disposable {
  readonly #item: vscode.StatusBarItem;
  readonly #history = new StatsHistory(180);
  readonly #onDidChange = new vscode.EventEmitter<StatsView>();
  /** Fires when a process that was live is gone or closed (its work is now on disk). */
  readonly #onProcessEnded = new vscode.EventEmitter<void>();
  readonly onDidChange = this.#onDidChange.event;
  readonly onProcessEnded = this.#onProcessEnded.event;
  #watcher: StatsWatcher | undefined;
  #settings: BarcacheSettings;
  #view: StatsView;
  #livePids = new Set<number>();
  /** Set by the actual show()/hide() calls. */
  #shown = false;
  #renderedState: StatusBarState['state'] = 'idle';
  #sharedFaultNotices = 0;
  /** Consumers besides the status bar that need live snapshots (the stats view while it is open). */
  #holds = 0;
  #disposed = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    settings: BarcacheSettings,
  ) {
    this.#settings = settings;
    this.#item = vscode.window.createStatusBarItem('barcache.status', vscode.StatusBarAlignment.Left, 50);
    this.#item.name = 'Barcache';
    this.#item.command = 'barcache.showStats';
    this.#view = viewFromSnapshots(settings.cacheDir, [], { now: Date.now(), offline: settings.offline, ...this.#lastWarmOpt() });
    this.#render();
    this.#syncWatcher();
  }

  get view(): StatsView {
    return this.#view;
  }

  get history(): StatsHistory {
    return this.#history;
  }

  /** Applies new settings: a new dir restarts the watcher; the rest re-renders (and starts or stops the watcher). */
  update(settings: BarcacheSettings): void {
    const old = this.#settings;
    this.#settings = settings;
    if (old.cacheDir !== settings.cacheDir || old.staleMs !== settings.staleMs || old.pollMs !== settings.pollMs) {
      if (old.cacheDir !== settings.cacheDir) {
        this.#history.clear();
        this.#livePids.clear();
      }
      this.#stopWatcher();
    } else {
      this.#view = { ...this.#view, offline: settings.offline };
    }
    this.#render();
    this.#syncWatcher();
  }

  /**
   * Keeps the snapshots watched while the returned Disposable lives (the stats view while open), even
   * with the status bar off. With neither, nothing polls.
   */
  retain(): vscode.Disposable {
    this.#holds++;
    this.#syncWatcher();
    let released = false;
    return new vscode.Disposable(() => {
      if (released) return;
      released = true;
      this.#holds--;
      this.#syncWatcher();
    });
  }

  /** Re-reads the snapshots now (once, when nothing is watching them). */
  async refresh(): Promise<StatusBarState> {
    if (this.#watcher) {
      await this.#watcher.refresh();
    } else {
      const s = this.#settings;
      let snapshots: StatsSnapshot[] = [];
      let error: string | undefined;
      try {
        snapshots = await readLive(s.cacheDir, { now: Date.now(), staleMs: s.staleMs });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') error = (err as Error).message;
      }
      if (!this.#disposed && s === this.#settings) this.#onSnapshots(snapshots, error);
    }
    return this.state();
  }

  async recordWarm(last: LastWarm): Promise<void> {
    await this.context.globalState.update(LAST_WARM_KEY, last);
    this.#view = { ...this.#view, lastWarm: last };
    this.#render();
  }

  /** The status bar item as VS Code has it (see StatusBarState). */
  state(): StatusBarState {
    const item = this.#item;
    const tooltip = item.tooltip;
    return {
      visible: this.#shown,
      text: item.text,
      tooltip: tooltip === undefined ? '' : typeof tooltip === 'string' ? tooltip : tooltip.value,
      accessibilityLabel: item.accessibilityInformation?.label ?? '',
      command: typeof item.command === 'string' ? item.command : item.command?.command,
      state: this.#renderedState,
      view: this.#view,
      sharedFaultNotices: this.#sharedFaultNotices,
      watching: this.#watcher !== undefined,
    };
  }

  dispose(): void {
    this.#disposed = true;
    this.#stopWatcher();
    this.#item.dispose();
    this.#onDidChange.dispose();
    this.#onProcessEnded.dispose();
  }

  #lastWarmOpt(): { lastWarm?: LastWarm } {
    const last = this.context.globalState.get<LastWarm>(LAST_WARM_KEY);
    return last ? { lastWarm: last } : {};
  }

  /** Watches while the status bar is shown or someone holds `retain()`; stops otherwise. */
  #syncWatcher(): void {
    const needed = !this.#disposed && (this.#settings.statusBarEnabled || this.#holds > 0);
    if (needed && !this.#watcher) this.#startWatcher();
    else if (!needed) this.#stopWatcher();
  }

  #stopWatcher(): void {
    this.#watcher?.stop();
    this.#watcher = undefined;
  }

  #startWatcher(): void {
    const s = this.#settings;
    this.#watcher = new StatsWatcher({
      dir: s.cacheDir,
      staleMs: s.staleMs,
      pollMs: s.pollMs,
      read: readLive,
      onSnapshots: (snapshots, error) => this.#onSnapshots(snapshots, error),
    });
    this.#watcher.start();
  }

  #onSnapshots(snapshots: StatsSnapshot[], error: string | undefined): void {
    const now = Date.now();
    const s = this.#settings;
    const sharedBefore = this.#view.totals.shared;
    this.#view = viewFromSnapshots(s.cacheDir, snapshots, {
      now,
      offline: s.offline,
      aggregate,
      ...this.#lastWarmOpt(),
      ...(error ? { error } : {}),
    });
    const t = this.#view.totals;
    this.#history.add({ at: now, requests: t.requests, hits: t.l1.hits + t.l2.hits });
    const live = new Set(snapshots.filter((x) => !x.closed).map((x) => x.pid));
    const ended = [...this.#livePids].some((pid) => !live.has(pid));
    this.#livePids = live;
    this.#render();
    const shared = this.#view.totals.shared;
    if (shared && sharedTransition(sharedBefore, shared) === 'faulted') {
      // Said once per outage; the status bar keeps the warning until Redis answers again.
      this.#sharedFaultNotices++;
      void vscode.window.showWarningMessage(sharedFaultNotice(shared));
    }
    this.#onDidChange.fire(this.#view);
    if (ended) this.#onProcessEnded.fire();
  }

  #render(): void {
    const m = statusBarModel(this.#view, Date.now());
    this.#item.text = m.text;
    const tooltip = new vscode.MarkdownString(m.tooltipMarkdown, true);
    tooltip.isTrusted = false;
    this.#item.tooltip = tooltip;
    this.#item.accessibilityInformation = { label: m.accessibilityLabel, role: 'button' };
    this.#item.backgroundColor = m.state === 'error' || m.state === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.#renderedState = m.state;
    if (this.#settings.statusBarEnabled) {
      this.#item.show();
      this.#shown = true;
    } else {
      this.#item.hide();
      this.#shown = false;
    }
  }
}
