#!/usr/bin/env node
// Runs the integration suite (test/integration, the standard extensionTestsPath form) inside a real
// VS Code: code-server 4.100.3 (VS Code 1.100.3) driven by Debian's headless Chromium. Installs
// nothing: expects <repo>/.tools/code-server (scripts/install-code-server.sh) and a build
// (node scripts/build.mjs; `pnpm test:integration` does both build and run).
//
//   node scripts/run-integration.mjs [--no-vsix] [--timeout <s>]
//   BARCACHE_IT_VERBOSE=1 relays the whole browser console; BARCACHE_IT_DEBUG=1 prints the status bar DOM after each test.
//
// Phase 1: the extension under development + the mocha suite, against a loopback Yahoo server
//          (BARCACHE_YAHOO_BASE_URL) and a temp cache dir (BARCACHE_DIR).
// Phase 2: the packaged VSIX (scripts/lib/vsix-check.mjs): installed with --install-extension, activated,
//          and its status bar shows the metrics of a separate backtest process (checked in the DOM).
//
// Last line: `vscode-integration: N passed, N failed` (mocha's counts); exits non-zero on any failure.
import fs from 'node:fs';
import path from 'node:path';
import {
  PKG_ROOT,
  consoleText,
  codeServerEnv,
  launchChromium,
  makeDirs,
  payloadUrl,
  startCodeServer,
  startYahooServer,
} from './lib/code-server.mjs';
import { runVsixCheck } from './lib/vsix-check.mjs';

const argv = process.argv.slice(2);
const timeoutS = Number(argv[argv.indexOf('--timeout') + 1]) || 300;
const withVsix = !argv.includes('--no-vsix');
const log = (m) => console.log(`[harness] ${m}`);

let passes = 0;
let failures = 0;
let counted = false;
let exitCode = 1;
const cleanups = [];

async function cleanup() {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch (err) {
      log(`cleanup: ${err.message}`);
    }
  }
}

async function phase1() {
  for (const f of ['dist/extension.cjs', 'out/integration/suite/index.js']) {
    if (!fs.existsSync(path.join(PKG_ROOT, f))) throw new Error(`${f} is missing: run node scripts/build.mjs first`);
  }
  const yahoo = await startYahooServer({ latencyMs: 5 });
  cleanups.push(() => yahoo.close());
  log(`loopback Yahoo server ${yahoo.url}`);
  const dirs = makeDirs('barcache-vscode-it-');
  cleanups.push(() => fs.rmSync(dirs.base, { recursive: true, force: true }));
  const resultFile = path.join(dirs.base, 'mocha-result.json');
  const env = codeServerEnv(dirs, { BARCACHE_YAHOO_BASE_URL: yahoo.url, BARCACHE_TEST_RESULT_FILE: resultFile });
  const server = await startCodeServer(dirs, env, { log });
  cleanups.push(() => server.stop());
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
  const shotPath = path.join(PKG_ROOT, 'artifacts/integration-workbench.png');
  fs.mkdirSync(path.dirname(shotPath), { recursive: true });
  let shot;
  // Relay the suite's output in order (formatting a message is async).
  let relay = Promise.resolve();
  let inSuite = false;
  page.on('console', (msg) => {
    relay = relay.then(async () => {
      const text = await consoleText(msg);
      if (process.env.BARCACHE_IT_VERBOSE) return console.log(`[console.${msg.type()}] ${text}`);
      const m = /barcache-mocha-result (\{.*\})/.exec(text);
      if (m) {
        const r = JSON.parse(m[1]);
        passes = r.passes;
        failures = r.failures;
        counted = true;
        inSuite = false;
        // The extension host is still up: the status bar and views are still there to see.
        shot = page.screenshot({ path: shotPath }).catch(() => undefined);
        if (process.env.BARCACHE_IT_DEBUG) {
          const labels = await page.locator('#workbench\\.parts\\.statusbar [aria-label]').evaluateAll((els) => els.map((e) => `${e.id || e.className}: ${e.getAttribute('aria-label')}`));
          console.log(labels.join('\n'));
        }
        return;
      }
      if (/^Found unexpected service worker/.test(text)) return;
      // Mocha's spec output starts with the suite title; before it is workbench noise.
      if (/Barcache extension in a real VS Code/.test(text)) inSuite = true;
      if (inSuite || /barcache/i.test(text)) console.log(text);
      if (process.env.BARCACHE_IT_DEBUG && /✔/.test(text)) {
        const labels = await page.locator('#workbench\\.parts\\.statusbar [aria-label^="Barcache"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
        console.log(`   [dom] ${labels.join(' | ')}`);
      }
    });
  });
  page.on('pageerror', (err) => log(`page error: ${err.message}`));

  const url = payloadUrl(server, {
    workspace: dirs.workspace,
    extensionDevelopmentPath: PKG_ROOT,
    extensionTestsPath: path.join(PKG_ROOT, 'out/integration/suite/index.js'),
  });
  log('opening the workbench with the test payload');
  await page.goto(url);
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), timeoutS * 1000))]);
  await relay;
  if (!counted && fs.existsSync(resultFile)) {
    const r = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    passes = r.passes;
    failures = r.failures;
    counted = true;
  }
  await (shot ?? page.screenshot({ path: shotPath }).catch(() => undefined));
  if (code === 'timeout') {
    log(`the suite did not finish within ${timeoutS} s; code-server log: ${server.logFile}`);
    fs.copyFileSync(server.logFile, path.join(PKG_ROOT, 'artifacts/code-server.log'));
    return false;
  }
  log(`codeAutomationExit(${code}); screenshot ${path.relative(process.cwd(), shotPath)}`);
  if (!counted) log('mocha did not report its counts (the suite failed to load?)');
  return code === 0 && counted && failures === 0;
}

let ok = false;
try {
  ok = await phase1();
} catch (err) {
  log(`error: ${err.stack ?? err}`);
  ok = false;
} finally {
  await cleanup();
}

let vsixOk = true;
if (withVsix) {
  try {
    const r = await runVsixCheck({ log, screenshot: path.join(PKG_ROOT, 'artifacts/vsix-workbench.png') });
    log(`vsix check: ok — installed ${path.basename(r.vsix)}, status bar "${r.statusText}" (${r.ariaLabel})`);
  } catch (err) {
    vsixOk = false;
    log(`vsix check: FAILED — ${err.stack ?? err}`);
  }
}

exitCode = ok && vsixOk ? 0 : 1;
console.log(`vscode-integration: ${passes} passed, ${failures} failed`);
process.exit(exitCode);
