#!/usr/bin/env node
// `pnpm package`: production bundle, then `vsce package --no-dependencies` (vsce cannot follow pnpm's
// symlinked node_modules; everything the extension needs is in dist/, LevelDB's binding included).
// Writes barcache-vscode-<version>.vsix in this package's folder and prints its path. Fails when the
// packaged README or CHANGELOG points at a file the VSIX does not carry (scripts/lib/vsix-contents.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkVsixDocs, inlineImages } from './lib/vsix-contents.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each step (build, vsce) is killed when it runs longer than `stepTimeoutMs`. */
export function packageVsix({ quiet = false, stepTimeoutMs = 300_000 } = {}) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const out = path.join(root, `${pkg.name}-${pkg.version}.vsix`);
  const stdio = quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit';
  const step = (cmd, args, cwd = root) => {
    const r = spawnSync(cmd, args, { cwd, stdio, encoding: 'utf8', timeout: stepTimeoutMs, killSignal: 'SIGKILL' });
    const what = `${path.basename(cmd)} ${args.join(' ')}`;
    if (r.error?.code === 'ETIMEDOUT') throw new Error(`${what} did not finish within ${stepTimeoutMs / 1000} s (killed):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
    if (r.error) throw new Error(`${what} could not run: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`${what} failed (${r.status ?? r.signal}):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  };
  step(process.execPath, [path.join(root, 'scripts/build.mjs'), '--production']);
  // Package from a staging copy whose README has its screenshot inlined (see lib/vsix-contents.mjs:
  // the extension page cannot show a relative image), so the working tree's README stays as it is.
  const stage = path.join(root, 'out/vsix-stage');
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  for (const f of ['package.json', '.vscodeignore', 'LICENSE', 'CHANGELOG.md', 'media', 'schemas', 'dist']) {
    fs.cpSync(path.join(root, f), path.join(stage, f), { recursive: true });
  }
  fs.writeFileSync(path.join(stage, 'README.md'), inlineImages(fs.readFileSync(path.join(root, 'README.md'), 'utf8'), root));
  const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
  // No public repository yet: keep README links as they are and do not ask about the missing field.
  try {
    step(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], stage);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  // The extension page renders the packaged README from the installed folder: every relative link
  // in it must be in the package (no `../../README.md`).
  checkVsixDocs(out);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(`package: ${packageVsix()}`);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
