#!/usr/bin/env node
/**
 * The `barcache` executable: wires the real process (streams, env, clock, Ctrl-C) and the real
 * cache into runCli, then exits with its code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { createInterface } from 'node:readline/promises';
import { defaultCacheDir } from '../cache-dir.js';
import { BarcacheError, ErrorCode } from '../errors.js';
import type { CliDeps, CliIo } from './context.js';
import { runCli } from './program.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\nbarcache: interrupting (press Ctrl-C again to quit at once)\n');
    controller.abort(new BarcacheError(ErrorCode.ABORTED, 'interrupted'));
  });

  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: process.stdin.isTTY === true,
    env: process.env,
    now: Date.now,
    confirm,
    ...(process.stderr.isTTY ? { progressStream: process.stderr } : {}),
    signal: controller.signal,
  };
  // The cache (LevelDB, yahoo-finance2) and the snapshot reader (zod) load only when a command
  // needs them: --help, usage errors and bad input answer without paying for them.
  const deps: CliDeps = {
    openCache: async (options) => (await import('../open-cache.js')).openCache(options),
    defaultCacheDir: () => defaultCacheDir(process.env),
    // A cache dir holds its LevelDB in `<dir>/db` (tiers/disk/level-bar-store.ts).
    cacheExists: (dir) => existsSync(join(dir, 'db', 'CURRENT')),
    snapshots: {
      async read(dir, options) {
        const { readStatsSnapshots, aggregateStats } = await import('../stats/stats-snapshot.js');
        const entries = await readStatsSnapshots(dir, options);
        return { entries, live: aggregateStats(entries) };
      },
      async readRuns(dir) {
        const { readRunHistory, sumRuns } = await import('../stats/run-history.js');
        const runs = await readRunHistory(dir);
        return { runs, totals: sumRuns(runs) };
      },
    },
  };
  return runCli(process.argv.slice(2), io, deps, { version: packageVersion() });
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

main().then(
  async (code) => {
    await Promise.all([flush(process.stdout), flush(process.stderr)]);
    // Idle keep-alive sockets or timers must not keep a finished command alive.
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`barcache: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
