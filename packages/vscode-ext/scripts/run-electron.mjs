#!/usr/bin/env node
// Runs the same integration suite (out/integration/suite/index.js, the standard extensionTestsPath
// form) in desktop VS Code through @vscode/test-electron, on machines that can download VS Code.
// Where the download is impossible (offline CI: update.code.visualstudio.com unreachable), it says
// so, prints `vscode-electron: 0 passed, 0 failed (skipped: cannot download VS Code)` and exits 0;
// the code-server harness (run-integration.mjs) runs the suite there instead.
//
//   node scripts/run-electron.mjs [--vscode-version 1.100.3] [--timeout <s>]   (Linux needs a display: xvfb-run -a …)
//
// The run is bounded (default 300 s): on expiry VS Code is stopped the way test-electron stops it on
// Ctrl+C (SIGINT first, then its kill-tree of the whole process tree) and the run fails.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PKG_ROOT, makeDirs, startYahooServer } from './lib/code-server.mjs';

const require = createRequire(path.join(PKG_ROOT, 'package.json'));
const { downloadAndUnzipVSCode, runTests } = require('@vscode/test-electron');

const argv = process.argv.slice(2);
const version = argv.includes('--vscode-version') ? argv[argv.indexOf('--vscode-version') + 1] : '1.100.3';
const log = (m) => console.log(`[electron] ${m}`);
const timeoutS = Number(argv[argv.indexOf('--timeout') + 1]) || 300;

let vscodeExecutablePath;
try {
  vscodeExecutablePath = await Promise.race([
    downloadAndUnzipVSCode({ version, cachePath: path.join(PKG_ROOT, '.vscode-test'), timeout: 20_000 }),
    new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 60 s')), 60_000)),
  ]);
} catch (err) {
  log(`cannot download VS Code ${version}: ${String(err?.message ?? err).split('\n')[0]}`);
  log('skipping the desktop run; the same suite runs in code-server via scripts/run-integration.mjs');
  console.log('vscode-electron: 0 passed, 0 failed (skipped: cannot download VS Code)');
  process.exit(0);
}

const yahoo = await startYahooServer({ latencyMs: 5 });
const dirs = makeDirs('barcache-vscode-electron-');
const resultFile = path.join(dirs.base, 'mocha-result.json');
let code = 1;
let timedOut = false;
// Our own SIGINT listener also keeps test-electron from calling process.exit() after it handled one,
// so the clean-up below still runs (a real Ctrl+C: test-electron closes VS Code, the run fails).
let interrupted = false;
const onSigint = () => {
  if (!timedOut) interrupted = true;
};
process.on('SIGINT', onSigint);
let timer;
let forceTimer;
try {
  const run = runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: PKG_ROOT,
    extensionTestsPath: path.join(PKG_ROOT, 'out/integration/suite/index.js'),
    launchArgs: [dirs.workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions],
    extensionTestsEnv: { BARCACHE_DIR: dirs.cache, BARCACHE_YAHOO_BASE_URL: yahoo.url, BARCACHE_TEST_RESULT_FILE: resultFile, BARCACHE_EXTENSION_TEST_HOOKS: '1' },
  });
  timer = setTimeout(() => {
    timedOut = true;
    log(`the suite did not finish within ${timeoutS} s: stopping VS Code`);
    // runTests does not hand out its child; its SIGINT handlers stop it: the first asks VS Code to
    // close, the second kills the process tree.
    process.emit('SIGINT', 'SIGINT');
    forceTimer = setTimeout(() => process.emit('SIGINT', 'SIGINT'), 5000);
  }, timeoutS * 1000);
  // Should even the kill-tree not end it, stop waiting 20 s after the time-out.
  code = await Promise.race([
    run,
    new Promise((_, reject) => {
      const t = setTimeout(() => reject(new Error('VS Code did not stop')), timeoutS * 1000 + 20_000);
      t.unref();
    }),
  ]);
  if (timedOut || interrupted) code = 1;
} catch (err) {
  log(`run failed: ${timedOut ? `timed out after ${timeoutS} s` : interrupted ? 'interrupted' : (err?.message ?? err)}`);
  code = 1;
} finally {
  clearTimeout(timer);
  clearTimeout(forceTimer);
  process.removeListener('SIGINT', onSigint);
  await yahoo.close();
}
let r = { passes: 0, failures: 0 };
try {
  r = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
} catch {
  log('the suite reported no counts (it did not load?)');
  code = code || 1;
}
fs.rmSync(dirs.base, { recursive: true, force: true });
console.log(`vscode-electron: ${r.passes} passed, ${r.failures} failed`);
process.exit(code === 0 && r.failures === 0 && r.passes > 0 ? 0 : 1);
