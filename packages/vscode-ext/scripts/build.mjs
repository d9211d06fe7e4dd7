#!/usr/bin/env node
// Bundles the extension with esbuild and ships LevelDB's native binding next to the bundle.
//
//   node scripts/build.mjs               development build (source maps) + the integration suite
//   node scripts/build.mjs --production  minified extension only (what `pnpm package` puts in the VSIX)
//
// dist/extension.cjs      the extension: CommonJS, `vscode` and `classic-level` external. Everything
//                         else (cache-core, yahoo-finance2 — ESM — , lru-cache, zod…) is folded in.
// dist/node_modules/…     classic-level, its prebuilt binding (prebuilds/<platform>-<arch>/) and
//                         the packages it requires at run time, so `require('classic-level')` works
//                         from inside the installed VSIX.
// out/integration/suite/  the mocha suite for extensionTestsPath (CommonJS, `vscode`/`mocha` external).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const skipTests = production || process.argv.includes('--no-tests');

/** Platforms whose prebuilt LevelDB binding ships in the VSIX. BARCACHE_VSIX_PREBUILDS=linux-x64,… narrows it. */
const PREBUILDS = (process.env.BARCACHE_VSIX_PREBUILDS ?? 'linux-x64,linux-arm64,linux-arm,darwin-x64+arm64,win32-x64,win32-ia32')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'classic-level'],
  // yahoo-finance2 ships ESM and CJS builds; take the ESM one (what cache-core imports) and let
  // esbuild convert it, so the bundle holds one copy of each module.
  conditions: ['import', 'node', 'default'],
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  legalComments: 'none',
  // The ESM sources read import.meta.url in a few places; give them the bundle's own URL.
  define: { 'import.meta.url': '__barcache_import_meta_url' },
  banner: { js: "const __barcache_import_meta_url = require('url').pathToFileURL(__filename).href;" },
};

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [path.join(root, 'src/vscode/extension.ts')],
  outfile: path.join(root, 'dist/extension.cjs'),
  sourcemap: production ? false : 'linked',
  minify: production,
  metafile: false,
});
copyClassicLevel(path.join(root, 'dist/node_modules'));

if (!skipTests) {
  fs.rmSync(path.join(root, 'out/integration'), { recursive: true, force: true });
  await build({
    ...common,
    external: [...common.external, 'mocha'],
    entryPoints: [path.join(root, 'test/integration/suite/index.ts')],
    outfile: path.join(root, 'out/integration/suite/index.js'),
    sourcemap: 'inline',
  });
  // A stand-in for a backtest in a terminal: another process using the same cache dir.
  await build({
    ...common,
    entryPoints: [path.join(root, 'test/integration/fixtures/backtest-process.ts')],
    outfile: path.join(root, 'out/integration/fixtures/backtest-process.cjs'),
  });
  // The loopback Yahoo server (test-support) for the harness scripts, which are plain Node.
  await build({
    ...common,
    entryPoints: [path.join(root, 'test/integration/fixtures/yahoo-server.ts')],
    outfile: path.join(root, 'out/integration/fixtures/yahoo-server.cjs'),
  });
}
console.log(`build: dist/extension.cjs${production ? ' (production)' : ''}${skipTests ? '' : ' + out/integration/suite/index.js'}; prebuilds: ${PREBUILDS.join(', ')}`);

/**
 * Copies classic-level and its run-time dependency closure (abstract-level, node-gyp-build,
 * module-error, …) into `dest` as a flat node_modules. pnpm keeps each package's dependencies
 * next to its real path, so resolve each from there.
 */
function copyClassicLevel(dest) {
  const req = createRequire(path.join(root, 'package.json'));
  const start = path.dirname(req.resolve('classic-level/package.json'));
  const seen = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const dir = fs.realpathSync(queue.shift());
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    if (seen.has(pkg.name)) {
      if (seen.get(pkg.name).version !== pkg.version) {
        throw new Error(`build: two versions of ${pkg.name} in classic-level's closure (${seen.get(pkg.name).version}, ${pkg.version})`);
      }
      continue;
    }
    seen.set(pkg.name, { dir, version: pkg.version });
    const r = createRequire(path.join(dir, 'package.json'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      // napi-macros is C headers for building from source; nothing requires it at run time.
      if (dep === 'napi-macros') continue;
      queue.push(path.dirname(r.resolve(`${dep}/package.json`)));
    }
  }
  for (const [name, { dir }] of seen) {
    const to = path.join(dest, name);
    fs.cpSync(dir, to, {
      recursive: true,
      dereference: true,
      filter: (src) => {
        const rel = path.relative(dir, src);
        if (rel === '') return true;
        const top = rel.split(path.sep)[0];
        if (top === 'node_modules' || top === 'test' || top === '.github') return false;
        if (name === 'classic-level') {
          // Sources for building LevelDB are not needed: the binding is prebuilt.
          if (top === 'deps' || top === 'binding.cc' || top === 'binding.gyp' || top === 'build') return false;
          if (top === 'prebuilds') {
            const parts = rel.split(path.sep);
            return parts.length === 1 || PREBUILDS.includes(parts[1]);
          }
        }
        return !/\.(md|markdown|d\.ts|map|ts)$/i.test(src) || /LICENSE/i.test(src);
      },
    });
  }
  const binding = path.join(dest, 'classic-level/prebuilds', `${process.platform}-${process.arch}`);
  if (PREBUILDS.includes(`${process.platform}-${process.arch}`) && !fs.existsSync(binding)) {
    throw new Error(`build: no prebuilt classic-level binding for ${process.platform}-${process.arch}`);
  }
  return [...seen.keys()];
}
