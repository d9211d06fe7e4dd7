import * as vscode from 'vscode';
import { type BarCache, openCache, repairCacheDir } from '@barcache/cache-core';
import { errorText, isLockedError, lockedMessage } from '../error-text.js';
import { isStoreCorruptError, REPAIR_ACTION, repairOutcomeText, storeCorruptPrompt } from '../store-repair-offer.js';
import { type BarcacheSettings, sharedOption } from '../settings.js';
import { OwnStats } from './own-stats.js';

/** How this process is named in stats snapshots. */
export const PROCESS_LABEL = 'VS Code (Barcache extension)';

export interface SessionOptions {
  /** Ask the user to Retry when another process holds the cache. Default true. */
  interactive?: boolean;
  /** How long to wait for the lock before LOCKED. Default: cache-core's (2 s). */
  lockTimeoutMs?: number;
  /**
   * The caller's cancellation (a progress notification's Cancel, say). Aborting it aborts the
   * session's signal and answers an open LOCKED/Retry prompt as a cancel.
   */
  signal?: AbortSignal;
}

/** What a command does with the cache while it is open; `signal` aborts on cancel and on deactivation. */
export type CacheWork<T> = (cache: BarCache, signal: AbortSignal) => Promise<T>;

/** One command's use of the cache, from before it opens it until it has closed it. */
interface Session {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * Every use of the cache by one activation of the extension. Created in `activate` and pushed into
 * `context.subscriptions`; commands, the tree and the stats reach it through their constructor or
 * deps, never through module state.
 *
 * The extension never holds the LevelDB while idle, so a backtest in a terminal can have it: each
 * command opens the cache, runs, and closes it (`withCache`). This object also owns the extension's
 * own stats snapshot (the sum of its sessions), and on deactivation aborts the sessions still
 * running and waits until they have closed their caches (`close`).
 */
export class CacheSessions implements vscode.Disposable {
  readonly #sessions = new Set<Session>();
  readonly #ownStats = new OwnStats(PROCESS_LABEL);
  #closing: Promise<{ aborted: number; timedOut: boolean }> | undefined;

  /**
   * Opens the cache for one command and closes it afterwards, whatever happens. When another
   * process holds it, says which one and offers Retry (interactive) or throws the LOCKED error
   * (automation). After `close()` (deactivation) it refuses with CancelledByUser.
   */
  async withCache<T>(settings: BarcacheSettings, fn: CacheWork<T>, opts: SessionOptions = {}): Promise<T> {
    if (this.#closing) throw new CancelledByUser();
    const controller = new AbortController();
    const external = opts.signal;
    const forward = () => controller.abort(external?.reason);
    if (external?.aborted) forward();
    else external?.addEventListener('abort', forward, { once: true });
    let finished!: () => void;
    const session: Session = { controller, done: new Promise<void>((resolve) => (finished = resolve)) };
    this.#sessions.add(session);
    try {
      return await this.#run(settings, fn, opts, controller.signal);
    } finally {
      external?.removeEventListener('abort', forward);
      this.#sessions.delete(session);
      finished();
    }
  }

  /**
   * Deactivation: refuse new sessions, abort the running ones, wait until each has closed its cache
   * (at most `timeoutMs`), then mark this process's stats snapshot closed. Idempotent: a second call
   * returns the first one's promise. Resolves with how many sessions were still running.
   */
  close(timeoutMs = 10_000): Promise<{ aborted: number; timedOut: boolean }> {
    this.#closing ??= this.#close(timeoutMs);
    return this.#closing;
  }

  /** Disposal (context.subscriptions) starts `close()`; `deactivate` awaits it. */
  dispose(): void {
    void this.close();
  }

  async #close(timeoutMs: number): Promise<{ aborted: number; timedOut: boolean }> {
    const running = [...this.#sessions];
    for (const s of running) s.controller.abort(new Error('Barcache is deactivating'));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.all(running.map((s) => s.done)).then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
    await this.#ownStats.close().catch(() => undefined);
    return { aborted: running.length, timedOut };
  }

  async #run<T>(settings: BarcacheSettings, fn: CacheWork<T>, opts: SessionOptions, signal: AbortSignal): Promise<T> {
    for (;;) {
      if (signal.aborted) throw new CancelledByUser();
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
          ...sharedOpen(settings),
        });
      } catch (err) {
        if (isLockedError(err) && opts.interactive !== false) {
          const choice = await untilAborted(vscode.window.showWarningMessage(lockedMessage(err, settings.cacheDir), 'Retry'), signal);
          if (choice === 'Retry' && !signal.aborted) continue;
          throw new CancelledByUser();
        }
        if (isStoreCorruptError(err) && opts.interactive !== false) {
          // The database will not open: offer the same repair as `barcache repair`, then open again.
          const choice = await untilAborted(vscode.window.showErrorMessage(storeCorruptPrompt(settings.cacheDir), REPAIR_ACTION), signal);
          if (choice !== REPAIR_ACTION || signal.aborted) throw err;
          const report = await repairCacheDir({ dir: settings.cacheDir });
          void vscode.window.showInformationMessage(repairOutcomeText(report));
          continue;
        }
        throw err;
      }
      this.#ownStats.begin(cache);
      try {
        return await fn(cache, signal);
      } finally {
        await this.#ownStats.end(cache).catch(() => undefined);
        await cache.close().catch((err: unknown) => {
          console.error(`Barcache: closing the cache failed: ${errorText(err)}`);
        });
      }
    }
  }
}

/** The prompt's answer, or undefined as soon as `signal` aborts (the prompt itself stays until dismissed). */
function untilAborted<T>(prompt: Thenable<T | undefined>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    prompt.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** The user dismissed a prompt: the command ends quietly. */
export class CancelledByUser extends Error {
  override readonly name = 'CancelledByUser';
  constructor() {
    super('cancelled');
  }
}

/** The team cache (Redis) for openCache: the setting, else the env var; its faults go to the status bar, not to the log. */
function sharedOpen(settings: BarcacheSettings): { shared?: ReturnType<typeof sharedOption>; onSharedFault: () => void } {
  const shared = sharedOption(settings);
  return { ...(shared ? { shared } : {}), onSharedFault: () => undefined };
}
