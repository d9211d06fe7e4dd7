import type * as vscode from 'vscode';
import type { SeriesNode } from '../../series-tree-model.js';
import type { CacheSessions } from '../cache-session.js';
import type { SeriesTreeProvider } from '../series-tree.js';
import type { StatsController } from '../stats-controller.js';
import type { StatsPanel } from '../stats-panel.js';
import type { RunningWarm } from './running-warm.js';

/** What the commands work with: this activation's parts, handed over by `activate`. */
export interface CommandDeps {
  context: vscode.ExtensionContext;
  output: vscode.OutputChannel;
  sessions: CacheSessions;
  stats: StatsController;
  tree: SeriesTreeProvider;
  panel: StatsPanel;
  /** Sees each warm as it starts (its progress, its cancel). Only the test hooks set it. */
  onWarmStart?: (warm: RunningWarm) => void;
}

/** A node of the Cached Series view (what a view/item/context menu passes to its command). */
export function isTreeNode(v: unknown): v is SeriesNode {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && typeof (v as { id?: unknown }).id === 'string';
}
