#!/usr/bin/env node
/**
 * Builds native/build/huge-pages.node from huge-pages.c: one C file, libc only, against the
 * Node-API headers that ship with Node itself (<prefix>/include/node), or else those of the
 * `node-api-headers` package (a dev dependency). Nothing is downloaded.
 *
 * Optional by design: on a platform other than Linux, without a C compiler or without the
 * headers, it says why and exits 0, and Barcache runs without huge pages (a warm load is then
 * slower, never wrong). `--required` (CI) turns every such skip into a failure.
 *
 *   node native/build.mjs [--required] [--force]
 *   env: CC (default cc), BARCACHE_NODE_INCLUDE (the folder holding node_api.h)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.join(here, 'huge-pages.c');
const output = path.join(here, 'build', 'huge-pages.node');
const required = process.argv.includes('--required');
const force = process.argv.includes('--force');

function skip(why) {
  if (required) {
    console.error(`native: huge-pages.node not built: ${why}`);
    process.exit(1);
  }
  console.log(`native: huge-pages.node not built (${why}); warm loads run without huge pages`);
  process.exit(0);
}

function packagedHeaders() {
  try {
    return createRequire(import.meta.url)('node-api-headers').include_dir;
  } catch {
    return undefined;
  }
}

function headerDir() {
  const candidates = [
    process.env.BARCACHE_NODE_INCLUDE,
    // <prefix>/bin/node → <prefix>/include/node (official tarballs, distribution packages, nvm)
    path.join(path.dirname(realpathSync(process.execPath)), '..', 'include', 'node'),
    path.join(path.dirname(process.execPath), '..', 'include', 'node'),
    packagedHeaders(),
  ];
  return candidates.find((dir) => dir !== undefined && existsSync(path.join(dir, 'node_api.h')));
}

if (process.platform !== 'linux') skip(`huge pages by madvise are a Linux feature; this is ${process.platform}`);
const upToDate = existsSync(output) && statSync(output).mtimeMs >= Math.max(statSync(source).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
if (upToDate && !force) process.exit(0);
const include = headerDir();
if (include === undefined) skip(`no node_api.h next to ${process.execPath} nor from node-api-headers (set BARCACHE_NODE_INCLUDE)`);
const cc = process.env.CC || 'cc';
mkdirSync(path.dirname(output), { recursive: true });
const temporary = path.join(path.dirname(output), `huge-pages.${process.pid}.tmp.node`);
const compiled = spawnSync(cc, ['-O2', '-fPIC', '-shared', '-Wall', '-Wextra', '-Wno-unused-parameter', '-I', include, '-o', temporary, source], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (compiled.error !== undefined || compiled.status !== 0) {
  rmSync(temporary, { force: true });
  skip(compiled.error !== undefined ? `${cc}: ${compiled.error.message}` : `${cc} exited with ${compiled.status}`);
}
// Loaded once here, so that a binary this Node cannot load is never left in place.
try {
  const loaded = createRequire(import.meta.url)(temporary);
  if (typeof loaded.adviseHugePages !== 'function') throw new Error('no adviseHugePages export');
} catch (err) {
  rmSync(temporary, { force: true });
  skip(`the built module does not load: ${err.message}`);
}
renameSync(temporary, output);
console.log(`native: built ${path.relative(process.cwd(), output)}`);
