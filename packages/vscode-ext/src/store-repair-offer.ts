/**
 * What the extension says when the cache database will not open (STORE_CORRUPT) and after the
 * user clicked "Repair" (cache-core's repairCacheDir, the same as `barcache repair`). Pure text;
 * the notification itself lives in vscode/cache-session.ts.
 */
import type { RepairReport } from '@barcache/cache-core';
import { isCodedError, type CodedError } from './error-text.js';

/** The button that runs the repair. */
export const REPAIR_ACTION = 'Repair';

export function isStoreCorruptError(err: unknown): err is CodedError {
  return isCodedError(err) && err.code === 'STORE_CORRUPT';
}

/** The notification offering the repair. */
export function storeCorruptPrompt(dir: string): string {
  return (
    `The Barcache cache database in ${dir} is damaged and will not open. ` +
    'Repair runs LevelDB\'s own repair; if that fails, the old database is moved aside (not deleted) and a fresh one started.'
  );
}

/** What the repair did, for an information message. */
export function repairOutcomeText(report: RepairReport): string {
  switch (report.action) {
    case 'none':
      return `Barcache: no cache database in ${report.dir}; nothing to repair.`;
    case 'healthy':
      return `Barcache: the cache database in ${report.dir} is healthy; nothing to repair.`;
    case 'repaired':
      return `Barcache: LevelDB repaired the cache database in ${report.dir} (${report.keys} keys readable). Lost bars are fetched again when next needed.`;
    case 'moved-aside':
      return `Barcache: the damaged cache database was moved to ${report.movedTo} (nothing deleted) and a fresh one started.`;
  }
}
