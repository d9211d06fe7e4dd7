import * as vscode from 'vscode';
import { CancelledByUser } from '../cache-session.js';
import { clearCommand, clearSeriesCommand } from './clear.js';
import { type CommandDeps, isTreeNode } from './command-deps.js';
import { explainCommand } from './explain.js';
import { openCacheFolderCommand } from './open-cache-folder.js';
import { refreshSeriesCommand } from './refresh-series.js';
import { showCommandError } from './show-command-error.js';
import { showStatsCommand } from './show-stats.js';
import { toggleOfflineCommand } from './toggle-offline.js';
import { warmFromPlanCommand } from './warm-from-plan.js';
import { warmCommand } from './warm.js';

export type { CommandDeps } from './command-deps.js';
export type { RunningWarm } from './running-warm.js';
export type { WarmResult } from './warm.js';

/** Every command the extension contributes (package.json `contributes.commands`), one file each. */
const COMMANDS: Record<string, (deps: CommandDeps, arg: unknown) => Promise<unknown>> = {
  'barcache.warm': warmCommand,
  'barcache.warmFromPlan': warmFromPlanCommand,
  'barcache.showStats': showStatsCommand,
  'barcache.clear': clearCommand,
  'barcache.clearSeries': clearSeriesCommand,
  'barcache.explain': explainCommand,
  'barcache.openCacheFolder': (_deps, arg) => openCacheFolderCommand(arg),
  'barcache.toggleOffline': () => toggleOfflineCommand(),
  'barcache.refreshSeries': refreshSeriesCommand,
};

/**
 * Registers the Barcache commands. Each accepts an optional argument object for automation
 * (tasks, keybindings, tests); given one, it prompts for nothing, returns its result, and lets
 * errors reject the command instead of showing them. A Uri (explorer) or a tree node (the view's
 * menus) is not automation: errors are shown.
 */
export function registerCommands(deps: CommandDeps): void {
  for (const [id, run] of Object.entries(COMMANDS)) {
    deps.context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        const arg = args[0];
        const automated = arg !== undefined && !(arg instanceof vscode.Uri) && !isTreeNode(arg);
        try {
          return await run(deps, arg);
        } catch (err) {
          if (err instanceof CancelledByUser) return undefined;
          if (automated) throw err;
          showCommandError(deps.output, id, err);
          return undefined;
        }
      }),
    );
  }
}
