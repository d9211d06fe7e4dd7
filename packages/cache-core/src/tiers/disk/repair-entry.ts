/**
 * The public `repairCacheDir`: loads the repair code (and LevelDB with it) on first call, so
 * importing the package does not load `level`. The work is in store-repair.ts.
 */
import type { RepairOptions, RepairReport } from './store-repair.js';

/** Checks the database in `dir` and repairs it if it needs it. Throws LOCKED if another process holds it. */
export async function repairCacheDir(options: RepairOptions): Promise<RepairReport> {
  const { repairCacheDir: repair } = await import('./store-repair.js');
  return repair(options);
}
