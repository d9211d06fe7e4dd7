/** Temporary directories that clean up after themselves. No test-runner imports here. */
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  /** Absolute path of the (existing, empty) directory. */
  readonly path: string;
  /** Removes the directory and everything in it (retries briefly on EBUSY/ENOTEMPTY). Idempotent. */
  cleanup(): Promise<void>;
  cleanupSync(): void;
}

/** Creates `<os tmp>/<prefix>XXXXXX`. */
export function makeTempDir(prefix = 'barcache-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    cleanup: () => rm(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }),
    cleanupSync: () => rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }),
  };
}

/** Hooks of any runner (vitest, node:test, mocha) that take a callback. */
export interface TestHooks {
  beforeEach(fn: () => unknown): unknown;
  afterEach(fn: () => unknown): unknown;
}

/**
 * A fresh temp dir per test, removed after it, without importing a test runner:
 * `const tmp = useTempDir('store-', { beforeEach, afterEach }); … tmp.path`.
 * (With vitest you can also import `tempDirPerTest` from '@barcache/test-support/vitest'.)
 */
export function useTempDir(prefix: string, hooks: TestHooks): { readonly path: string } {
  let current: TempDir | undefined;
  hooks.beforeEach(() => {
    current = makeTempDir(prefix);
  });
  hooks.afterEach(async () => {
    const dir = current;
    current = undefined;
    await dir?.cleanup();
  });
  return {
    get path(): string {
      if (!current) throw new Error('useTempDir: path read outside a test');
      return current.path;
    },
  };
}

/** Runs `fn` with a temp dir that is removed afterwards, whatever `fn` does. */
export async function withTempDir<T>(prefix: string, fn: (path: string) => Promise<T> | T): Promise<T> {
  const dir = makeTempDir(prefix);
  try {
    return await fn(dir.path);
  } finally {
    await dir.cleanup();
  }
}
