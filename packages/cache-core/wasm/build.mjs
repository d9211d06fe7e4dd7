#!/usr/bin/env node
/**
 * Compiles wasm/block-decoder.ts (AssemblyScript; with reader.ts and ratio-column.ts, which it
 * imports) to wasm/build/block-decoder.wasm with the
 * `assemblyscript` compiler (a dev dependency: plain JavaScript, nothing native, nothing
 * downloaded). Skipped when the output is newer than its sources. A failure exits non-zero: the
 * module is part of the build (without it the cache still works, decoding in JavaScript only).
 *
 *   node wasm/build.mjs [--force]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.join(here, 'block-decoder.ts');
const output = path.join(here, 'build', 'block-decoder.wasm');
const sources = [source, ...['reader.ts', 'ratio-column.ts', 'crc32.ts', 'series-stage.ts'].map((f) => path.join(here, f)), fileURLToPath(import.meta.url)];
const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
if (!process.argv.includes('--force') && existsSync(output) && statSync(output).mtimeMs >= newest) process.exit(0);

const asc = path.join(path.dirname(createRequire(import.meta.url).resolve('assemblyscript/package.json')), 'bin', 'asc.js');
mkdirSync(path.dirname(output), { recursive: true });
const temporary = `${output}.${process.pid}.tmp`;
// -O3, no runtime (the module allocates nothing), no assertions (every check is explicit).
const run = spawnSync(process.execPath, [asc, source, '-O3', '--runtime', 'stub', '--noAssert', '--outFile', temporary], { stdio: 'inherit' });
if (run.status !== 0) {
  rmSync(temporary, { force: true });
  console.error(`wasm: asc exited with ${run.status ?? run.signal}`);
  process.exit(1);
}
renameSync(temporary, output);
console.log(`wasm: built ${path.relative(process.cwd(), output)}`);
