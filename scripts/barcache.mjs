#!/usr/bin/env node
// `npx pnpm@10 barcache <command> …` at the repo root (the root package.json's `barcache` script):
// builds cache-core when its dist is missing or older than its sources, then runs the CLI with the
// arguments given, in this process's working directory, and exits with its status.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = path.join(root, 'packages', 'cache-core');
const main = path.join(pkg, 'dist', 'cli', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function builtMtime() {
  try {
    return statSync(main).mtimeMs;
  } catch {
    return -1;
  }
}

if (builtMtime() < newestMtime(path.join(pkg, 'src'))) {
  process.stderr.write('barcache: building cache-core first (tsc -b)…\n');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // --force when dist is gone: tsc -b trusts its .tsbuildinfo and would not emit it again.
  const force = builtMtime() < 0 ? ['--force'] : [];
  const built = spawnSync(process.execPath, [tsc, '-b', ...force, pkg], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

// pnpm runs scripts in the package root; INIT_CWD is where the user typed the command.
const cwd = process.env.INIT_CWD ?? process.cwd();
const run = spawnSync(process.execPath, [main, ...process.argv.slice(2)], { cwd, stdio: 'inherit' });
process.exit(run.status ?? (run.signal ? 1 : 0));
