#!/usr/bin/env node
// The README's test command (`pnpm test`): builds, type-checks sources and tests
// (scripts/typecheck.mjs), runs every vitest suite, then the VS Code extension's integration suites
// (inside code-server, and under @vscode/test-electron when VS Code can be downloaded), and ends
// with one line: `N passed, N failed`. A failed build or type check counts as a failure.
//
//   BARCACHE_SKIP_VSCODE=1 pnpm test   skips the VS Code suites (a quick local loop; CI never sets it)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeVitestReport } from './vitest-summary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = path.join(root, 'artifacts');
fs.mkdirSync(artifacts, { recursive: true });

/** Each step's limit: CI allows 90 minutes for the whole run, and a hung step must not eat it. */
const STEP_TIMEOUT_MS = 25 * 60_000;

/**
 * Runs a command (in its own process group) with relayed output, also keeping its text; resolves
 * with { code, text }. Past the time limit the whole group is killed and the step fails.
 */
function run(cmd, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
    const timer = setTimeout(() => {
      process.stderr.write(`\n[test] ${path.basename(cmd)} ${args.join(' ')}: no end after ${STEP_TIMEOUT_MS / 60_000} min, killing it\n`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, STEP_TIMEOUT_MS);
    child.on('exit', () => clearTimeout(timer));
    let text = '';
    const relay = (stream, sink) =>
      stream.on('data', (chunk) => {
        text += chunk;
        sink.write(chunk);
      });
    relay(child.stdout, process.stdout);
    relay(child.stderr, process.stderr);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), text }));
    child.on('error', (err) => resolve({ code: 1, text: String(err) }));
  });
}

// pnpm sets npm_execpath to itself when it runs this script (also under `npx pnpm@10 test`).
const execpath = process.env.npm_execpath;
const pnpm = execpath && /pnpm/.test(execpath) ? (/\.c?js$/.test(execpath) ? [process.execPath, execpath] : [execpath]) : ['pnpm'];
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(1));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
let passed = 0;
let failed = 0;
const sections = [];

console.log('== build (tsc -b, the WebAssembly block decoder, the native huge-pages module)');
const build = await run(bin('tsc'), ['-b']);
if (build.code !== 0) {
  failed++;
  sections.push('build: FAILED');
}
// The WebAssembly block decoder (AssemblyScript, a dev dependency): part of the build.
const wasm = await run(process.execPath, [path.join(root, 'packages/cache-core/wasm/build.mjs')]);
if (wasm.code !== 0) {
  failed++;
  sections.push('wasm build: FAILED');
}
// Optional for users (no compiler: warm loads run without huge pages); CI requires it, so that its
// tests run against the real module.
const nativeArgs = [path.join(root, 'packages/cache-core/native/build.mjs'), ...(process.env.CI === 'true' ? ['--required'] : [])];
const native = await run(process.execPath, nativeArgs);
if (native.code !== 0) {
  failed++;
  sections.push('native build: FAILED');
}

// Tests are not part of the build (tsc -b compiles src/ only): a type error in a test file fails here.
console.log('== typecheck (sources and tests: scripts/typecheck.mjs)');
const typecheck = await run(process.execPath, [path.join(root, 'scripts/typecheck.mjs')]);
if (typecheck.code !== 0) {
  failed++;
  sections.push(`typecheck: FAILED (${/typecheck: (.*)/.exec(typecheck.text)?.[1] ?? `exit ${typecheck.code}`})`);
} else {
  sections.push('typecheck: ok');
}

console.log('== unit and integration tests (vitest)');
const vitestJson = path.join(artifacts, 'vitest.json');
fs.rmSync(vitestJson, { force: true });
const vitest = await run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
try {
  const summary = summarizeVitestReport(JSON.parse(fs.readFileSync(vitestJson, 'utf8')));
  passed += summary.passed;
  failed += summary.failed;
  sections.push(summary.line, ...summary.couldNotRun.map((name) => `  could not run: ${path.relative(root, name)}`));
} catch {
  failed++;
  sections.push(`vitest: no report (exit ${vitest.code})`);
}
if (vitest.code !== 0 && failed === 0) failed++;

if (process.env.BARCACHE_SKIP_VSCODE === '1') {
  sections.push('vscode: skipped (BARCACHE_SKIP_VSCODE=1)');
} else {
  for (const [label, script] of [
    ['vscode-integration', 'test:integration'],
    ['vscode-electron', 'test:electron'],
  ]) {
    console.log(`== ${label} (pnpm --filter barcache-vscode ${script})`);
    const result = await run(pnpm[0], [...pnpm.slice(1), '--filter', 'barcache-vscode', 'run', script]);
    const m = new RegExp(`${label}: (\\d+) passed, (\\d+) failed`).exec(result.text);
    if (m) {
      passed += Number(m[1]);
      failed += Number(m[2]);
      sections.push(m[0]);
    }
    if (!m || (result.code !== 0 && Number(m[2]) === 0)) {
      failed++;
      sections.push(`${label}: exit ${result.code}${m ? '' : ', no summary line'}`);
    }
  }
}

console.log('\n== summary');
for (const s of sections) console.log(`  ${s}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
