// The VSIX proof: package the extension, install the .vsix into a fresh code-server with
// --install-extension, start a separate Node process that uses the real cache (cache-core + LevelDB)
// like a backtest in a terminal, open the workbench in headless Chromium, and check in the DOM that
// the installed extension's status bar shows that process's live metrics. Then, with the backtest
// gone, the Cached Series view lists the cache — which proves the VSIX's own LevelDB binding loads —
// and the extension page shows the packaged README with its screenshot.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { packageVsix } from '../package.mjs';
import { PKG_ROOT, codeServerEnv, installExtension, launchChromium, makeDirs, sleep, startCodeServer, startYahooServer } from './code-server.mjs';

const STATUS = '#workbench\\.parts\\.statusbar [aria-label^="Barcache"]';

/** The README's screenshot, by the start of its alt text. */
const README_IMAGE_ALT = 'The installed VSIX';

/**
 * Opens the installed extension's page and finds the README's screenshot in its webview (nested
 * frames): whether it loaded (`complete` with a width), its size and URL scheme. Waits up to 30 s.
 */
async function extensionPageImage(page) {
  // Ctrl+Shift+X opens the Extensions view with the focus in its search box.
  await page.keyboard.press('Control+Shift+X');
  await page.locator('.extensions-viewlet').first().waitFor({ state: 'visible', timeout: 15_000 });
  await sleep(1000);
  await page.keyboard.type('@installed barcache');
  await page.locator('.extensions-list .monaco-list-row', { hasText: 'Barcache' }).first().click({ timeout: 30_000 });
  let found;
  const deadline = Date.now() + 30_000;
  while (!found?.loaded && Date.now() < deadline) {
    for (const frame of page.frames()) {
      const r = await frame
        .evaluate((alt) => {
          const img = [...document.images].find((i) => i.alt.startsWith(alt));
          return img && { loaded: img.complete && img.naturalWidth > 0, width: img.naturalWidth, height: img.naturalHeight, scheme: img.src.slice(0, img.src.indexOf(':')) };
        }, README_IMAGE_ALT)
        .catch(() => undefined);
      if (r) found = r;
    }
    if (!found?.loaded) await sleep(500);
  }
  return found;
}

/**
 * `cleanups`: where to register the run's cleanups (the harness's, so its signal handler can run them too).
 * `screenshot`: where to save the workbench with the status bar, tooltip and stats view (the README's picture);
 * `pageShot`: where to save the extension page.
 */
export async function runVsixCheck({ log = console.log, screenshot, pageShot, vsix: given, cleanups = [] } = {}) {
  try {
    const fixture = path.join(PKG_ROOT, 'out/integration/fixtures/backtest-process.cjs');
    if (!fs.existsSync(fixture)) throw new Error(`${fixture} is missing: run node scripts/build.mjs first`);
    const vsix = given ?? packageVsix({ quiet: true });
    log(`vsix: packaged ${path.relative(process.cwd(), vsix)} (${(fs.statSync(vsix).size / 1024 / 1024).toFixed(1)} MB)`);

    const yahoo = await startYahooServer();
    cleanups.push(() => yahoo.close());
    const dirs = makeDirs('barcache-vsix-');
    cleanups.push(() => fs.rmSync(dirs.base, { recursive: true, force: true }));
    const env = codeServerEnv(dirs, { BARCACHE_YAHOO_BASE_URL: yahoo.url });

    await installExtension(dirs, vsix, env);
    const installed = fs.readdirSync(dirs.extensions).find((d) => d.startsWith('barcache.barcache-vscode-'));
    if (!installed) throw new Error(`the VSIX did not install into ${dirs.extensions}`);
    const binding = path.join(dirs.extensions, installed, 'dist/node_modules/classic-level/prebuilds', `${process.platform}-${process.arch}`);
    if (!fs.existsSync(binding)) throw new Error(`the installed extension has no LevelDB binding at ${binding}`);
    log(`vsix: installed ${installed} (binding ${path.relative(dirs.extensions, binding)})`);

    // A backtest in "another terminal": its own process, the real cache, live stats snapshots.
    const bt = await startBacktest(fixture, dirs.cache, env);
    cleanups.push(() => bt.stop());
    log(`vsix: backtest process pid ${bt.pid} made ${bt.stats.requests} requests (hit rate ${(bt.stats.hitRate * 100).toFixed(0)}%)`);

    const server = await startCodeServer(dirs, env, { log });
    cleanups.push(() => server.stop());
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(dirs.workspace)}`);

    // The installed extension activates on startup and shows the other process's metrics.
    const item = page.locator(STATUS).first();
    await item.waitFor({ state: 'visible', timeout: 90_000 });
    let ariaLabel = '';
    const deadline = Date.now() + 60_000;
    for (;;) {
      ariaLabel = (await item.getAttribute('aria-label')) ?? '';
      if (/^Barcache: hit rate \d+ percent, \d+ requests/.test(ariaLabel)) break;
      if (Date.now() > deadline) throw new Error(`status bar never showed the backtest's metrics; last label: "${ariaLabel}"`);
      await sleep(500);
    }
    const requests = Number(/(\d+) requests/.exec(ariaLabel)?.[1] ?? 0);
    if (requests < bt.stats.requests) throw new Error(`status bar shows ${requests} requests, the backtest made ${bt.stats.requests}`);
    const statusText = (await item.innerText()).replace(/\s+/g, ' ').trim();
    if (!/\d+% hit · [\d.k]+ req · [\d.k]+ saved/.test(statusText)) throw new Error(`unexpected status bar text "${statusText}"`);

    // For the screenshot: the stats view (a click on the item), the Barcache view (held by the
    // backtest right now), and the tooltip's table per tier.
    await item.click();
    await page.locator('.part.activitybar [aria-label^="Barcache"]').first().click().catch(() => undefined);
    await page.getByText('Cache in use by another process').first().waitFor({ timeout: 15_000 }).catch(() => undefined);
    await sleep(6000); // a few points for the hit-rate chart
    await item.hover();
    await page.locator('.monaco-hover, .workbench-hover').getByText('Memory (L1)').first().waitFor({ timeout: 10_000 }).catch(() => undefined);
    await sleep(300);
    // The process is named as what it is (the screenshot shows this label).
    const named = await page.getByText(`${BACKTEST_LABEL} (pid ${bt.pid})`).count();
    if (named === 0) throw new Error(`the tooltip does not name the backtest process "${BACKTEST_LABEL} (pid ${bt.pid})"`);
    if (screenshot) {
      fs.mkdirSync(path.dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot });
      log(`vsix: screenshot ${path.relative(process.cwd(), screenshot)}`);
    }

    // The backtest ends; the view lists the cache through the VSIX's own LevelDB binding.
    await bt.stop();
    await page.mouse.move(640, 300);
    await page.locator('.part.sidebar [aria-label^="Refresh"], .part.sidebar .codicon-refresh').first().click({ timeout: 10_000 });
    await page.locator('.part.sidebar .monaco-list-row', { hasText: 'SPY' }).first().waitFor({ timeout: 30_000 });
    log('vsix: the Cached Series view lists SPY from LevelDB (the VSIX binding loads)');

    // The extension page (Extensions view → Barcache) shows the packaged README with its screenshot.
    const readmeImage = await extensionPageImage(page);
    if (pageShot) {
      fs.mkdirSync(path.dirname(pageShot), { recursive: true });
      await page.screenshot({ path: pageShot });
    }
    if (!readmeImage?.loaded) throw new Error(`the extension page does not show the README's screenshot: ${JSON.stringify(readmeImage ?? 'no such image')}`);
    log(`vsix: the extension page shows the README's screenshot (${readmeImage.width}×${readmeImage.height}, ${readmeImage.scheme})`);
    return { vsix, statusText, ariaLabel };
  } finally {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // best effort
      }
    }
  }
}

/**
 * The label this process gets in the stats snapshots (the status bar tooltip, the Stats view, and the
 * README's screenshot): what it really is, a Node stand-in for a backtest reading daily bars.
 */
export const BACKTEST_LABEL = 'backtest stand-in (Node, backtest-process.cjs)';

function startBacktest(fixture, dir, env) {
  const child = spawn(process.execPath, [fixture, '--dir', dir, '--symbols', 'SPY,QQQ', '--start', '2024-01-02', '--end', '2024-06-28', '--label', BACKTEST_LABEL, '--hold'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stopped;
  const stop = () =>
    (stopped ??= new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin.write('exit\n');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`backtest process not ready: ${err}`)), 60_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /READY (\{.*\})\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        const info = JSON.parse(m[1]);
        resolve({ pid: info.pid, stats: info.stats, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`backtest process exited (${code}): ${err}`));
    });
  });
}
