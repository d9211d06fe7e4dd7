import type { CommandDeps } from './command-deps.js';

/** `barcache.showStats`: opens (or reveals) the stats view, re-reads the snapshots; returns the view's body. */
export async function showStatsCommand(deps: CommandDeps): Promise<string | undefined> {
  deps.panel.show();
  await deps.stats.refresh();
  return deps.panel.lastBody;
}
