#!/usr/bin/env node
// Runs the integration suite (test/integration, the standard extensionTestsPath form) inside a real
// VS Code: code-server 4.100.3 (VS Code 1.100.3) driven by Debian's headless Chromium. Installs
// nothing: expects <repo>/.tools/code-server (scripts/install-code-server.sh) and a build
// (node scripts/build.mjs; `pnpm test:integration` does both build and run). How and why this works
// offline: docs/testing-vscode-offline.md at the repo root.
//
//   node scripts/run-integration.mjs [--no-vsix] [--timeout <s>]
//   BARCACHE_IT_VERBOSE=1 relays the whole browser console; BARCACHE_IT_DEBUG=1 prints the status bar DOM after each test.
//
// Phase 1: the extension under development + the mocha suite, against a loopback Yahoo server
//          (BARCACHE_YAHOO_BASE_URL) and a temp cache dir (BARCACHE_DIR).
// Phase 2: the packaged VSIX (scripts/lib/vsix-check.mjs): installed with --install-extension, activated,
//          and its status bar shows the metrics of a separate backtest process (checked in the DOM).
//
// After the suite, the workbench's status bar must have an item whose aria-label starts with "Barcache"
// (what VS Code rendered, not what the extension reports).
// Last line: `vscode-integration: N passed, N failed` (mocha's counts); exits non-zero on any failure.
// SIGINT/SIGTERM stop code-server's process group, Chromium and the loopback server, then exit 1.
import fs from 'node:fs';
import path from 'node:path';
import {
  PKG_ROOT,
  consoleText,
  codeServerEnv,
  launchChromium,
  makeDirs,
  payloadUrl,
  sleep,
  startCodeServer,
  startYahooServer,
} from './lib/code-server.mjs';
import { runVsixCheck } from './lib/vsix-check.mjs';

const argv = process.argv.slice(2);
const timeoutS = Number(argv[argv.indexOf('--timeout') + 1]) || 300;
const withVsix = !argv.includes('--no-vsix');
const log = (m) => console.log(`[harness] ${m}`);
const STATUS_ITEM = '#workbench\\.parts\\.statusbar [aria-label^="Barcache"]';
/** The extension's own item (`<publisher>.<name>.<item id>`), not a transient `setStatusBarMessage`. */
const OWN_ITEM_ID = 'barcache.barcache-vscode.barcache.status';

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

// CI cancels jobs with SIGTERM (and people with Ctrl+C): code-server runs in its own process group,
// so it would outlive us unless cleanup stops it. A second signal exits at once.
let signalled = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (signalled) process.exit(1);
    signalled = true;
    log(`${sig}: stopping code-server, Chromium and the loopback server`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    cleanup().finally(() => {
      console.log(`vscode-integration: ${passes} passed, ${failures} failed (interrupted by ${sig})`);
      process.exit(1);
    });
  });
}

/** The aria-labels starting with "Barcache" the workbench renders now in the extension's status bar item (waits up to `ms` for one). */
async function statusBarLabels(page, ms) {
  await page.locator(STATUS_ITEM).first().waitFor({ state: 'attached', timeout: ms }).catch(() => undefined);
  const labels = await page.locator(STATUS_ITEM).evaluateAll(
    (els, id) => els.filter((e) => e.closest(`[id="${id}"]`)).map((e) => e.getAttribute('aria-label') ?? ''),
    OWN_ITEM_ID,
  );
  return [...new Set(labels)];
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
  // The suite waits for this file after its last test, so the workbench still shows the extension's
  // status bar while we read the DOM and take the screenshot.
  const ackFile = path.join(dirs.base, 'harness-ack');
  // BARCACHE_EXTENSION_TEST_HOOKS: the extension registers its test-only commands (src/vscode/test-hooks.ts).
  const env = codeServerEnv(dirs, {
    BARCACHE_YAHOO_BASE_URL: yahoo.url,
    BARCACHE_TEST_RESULT_FILE: resultFile,
    BARCACHE_TEST_ACK_FILE: ackFile,
    BARCACHE_EXTENSION_TEST_HOOKS: '1',
  });
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
  let domLabels; // the Barcache status bar items right after the suite
  // Relay the suite's output in order (formatting a message is async).
  let relay = Promise.resolve();
  let inSuite = false;
  page.on('console', (msg) => {
    // The suite is done (the extension host is still up): look at the DOM at once, before the relay
    // catches up and before the workbench tears the host down.
    if (domLabels === undefined && msg.text().includes('barcache-mocha-result')) {
      domLabels = statusBarLabels(page, 5000)
        .catch((err) => {
          log(`reading the status bar failed: ${err.message}`);
          return [];
        })
        .then(async (labels) => {
          // The extension host is still up: the status bar and views are still there to see.
          shot = page.screenshot({ path: shotPath }).catch(() => undefined);
          await shot;
          fs.writeFileSync(ackFile, 'ok');
          return labels;
        });
    }
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
  let timer;
  const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutS * 1000)))]);
  clearTimeout(timer);
  // On a time-out the page may be wedged: give the relay a few seconds, not forever.
  if (code === 'timeout') await Promise.race([relay, sleep(5000)]);
  else await relay;
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
  const labels = (await domLabels) ?? [];
  const domOk = labels.some((l) => l.startsWith('Barcache'));
  log(domOk ? `status bar in the DOM after the suite: ${labels.join(' | ')}` : `FAILED: no status bar item (${OWN_ITEM_ID}) with an aria-label starting with "Barcache" in the workbench DOM after the suite`);
  return code === 0 && counted && failures === 0 && domOk;
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
    const r = await runVsixCheck({
      log,
      screenshot: path.join(PKG_ROOT, 'artifacts/vsix-workbench.png'),
      pageShot: path.join(PKG_ROOT, 'artifacts/vsix-extension-page.png'),
      cleanups,
    });
    log(`vsix check: ok — installed ${path.basename(r.vsix)}, status bar "${r.statusText}" (${r.ariaLabel})`);
  } catch (err) {
    vsixOk = false;
    log(`vsix check: FAILED — ${err.stack ?? err}`);
  }
}

exitCode = ok && vsixOk ? 0 : 1;
console.log(`vscode-integration: ${passes} passed, ${failures} failed`);
process.exit(exitCode);
