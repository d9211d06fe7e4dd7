import type { CommandDeps } from './command-deps.js';

/** `barcache.refreshSeries`: reloads the Cached Series view and the stats; returns the listing. */
export async function refreshSeriesCommand(deps: CommandDeps): Promise<Awaited<ReturnType<CommandDeps['tree']['load']>>> {
  const listing = await deps.tree.load();
  await deps.stats.refresh();
  return listing;
}
