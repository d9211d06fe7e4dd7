import * as vscode from 'vscode';
import { type BarCache, openCache } from '@barcache/cache-core';
import { errorText, isLockedError, lockedMessage } from '../error-text.js';
import type { BarcacheSettings } from '../settings.js';
import { OwnStats } from './own-stats.js';

/** How this process is named in stats snapshots. */
export const PROCESS_LABEL = 'VS Code (Barcache extension)';

/** The running sum of this extension host's cache sessions, published as one stats snapshot. */
export const ownStats = new OwnStats(PROCESS_LABEL);

export interface SessionOptions {
  /** Ask the user to Retry when another process holds the cache. Default true. */
  interactive?: boolean;
  /** How long to wait for the lock before LOCKED. Default: cache-core's (2 s). */
  lockTimeoutMs?: number;
}

/**
 * Opens the cache for one command and closes it afterwards, whatever happens: the extension never
 * holds the LevelDB while idle, so a backtest in a terminal can have it. When another process holds
 * it, says which one and offers Retry (interactive) or throws the LOCKED error (automation).
 */
export async function withCache<T>(settings: BarcacheSettings, fn: (cache: BarCache) => Promise<T>, opts: SessionOptions = {}): Promise<T> {
  for (;;) {
    let cache: BarCache;
    try {
      cache = await openCache({
        dir: settings.cacheDir,
        offline: settings.offline,
        memory: { maxBytes: settings.memoryMaxBytes },
        ...(settings.diskMaxBytes !== undefined ? { disk: { maxBytes: settings.diskMaxBytes } } : {}),
        ...(opts.lockTimeoutMs !== undefined ? { lockTimeoutMs: opts.lockTimeoutMs } : {}),
        processLabel: PROCESS_LABEL,
        statsSnapshots: false,
      });
    } catch (err) {
      if (isLockedError(err) && opts.interactive !== false) {
        const choice = await vscode.window.showWarningMessage(lockedMessage(err, settings.cacheDir), 'Retry');
        if (choice === 'Retry') continue;
        throw new CancelledByUser();
      }
      throw err;
    }
    ownStats.begin(cache);
    try {
      return await fn(cache);
    } finally {
      await ownStats.end(cache).catch(() => undefined);
      await cache.close().catch((err: unknown) => {
        console.error(`Barcache: closing the cache failed: ${errorText(err)}`);
      });
    }
  }
}

/** The user dismissed a prompt: the command ends quietly. */
export class CancelledByUser extends Error {
  override readonly name = 'CancelledByUser';
  constructor() {
    super('cancelled');
  }
}
