// Shared by the harness scripts: run code-server (VS Code 1.100 server + web workbench) in isolated
// temp dirs, drive it with Debian's headless Chromium through playwright-core, and stop the whole
// process group afterwards. How and why: docs/testing-vscode-offline.md at the repo root.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';

export const PKG_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_ROOT = path.resolve(PKG_ROOT, '../..');
const require = createRequire(path.join(PKG_ROOT, 'package.json'));

export function codeServerBin() {
  const bin = process.env.CODE_SERVER_BIN ?? path.join(REPO_ROOT, '.tools/code-server/node_modules/.bin/code-server');
  if (!fs.existsSync(bin)) {
    throw new Error(`code-server not found at ${bin}. Install it with: bash packages/vscode-ext/scripts/install-code-server.sh`);
  }
  return bin;
}

export function chromiumPath() {
  const p = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
  if (!fs.existsSync(p)) throw new Error(`Chromium not found at ${p}. Install it with: bash packages/vscode-ext/scripts/install-code-server.sh`);
  return p;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Temp dirs for one run: code-server's config/data/extensions, a workspace and a cache dir. */
export function makeDirs(prefix) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dirs = {
    base,
    xdgConfig: path.join(base, 'xdg-config'),
    xdgData: path.join(base, 'xdg-data'),
    xdgCache: path.join(base, 'xdg-cache'),
    userData: path.join(base, 'user-data'),
    extensions: path.join(base, 'extensions'),
    workspace: path.join(base, 'workspace'),
    cache: path.join(base, 'barcache'),
    config: path.join(base, 'code-server.yaml'),
  };
  for (const [k, d] of Object.entries(dirs)) if (k !== 'config' && k !== 'base' && k !== 'cache') fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  // Quiet workbench: no welcome page, no release notes, no telemetry prompts.
  const settingsDir = path.join(dirs.userData, 'User');
  fs.mkdirSync(settingsDir, { recursive: true });
  fs.writeFileSync(
    path.join(settingsDir, 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'update.mode': 'none',
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'security.workspace.trust.enabled': false,
        'workbench.enableExperiments': false,
        'chat.disableAIFeatures': true,
      },
      null,
      2,
    ),
  );
  return dirs;
}

export function codeServerEnv(dirs, extra = {}) {
  return {
    ...process.env,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    BARCACHE_DIR: dirs.cache,
    ...extra,
  };
}

function baseArgs(dirs) {
  return ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/** `code-server --install-extension <vsix>` with the run's dirs (killed after `timeoutMs`). */
export async function installExtension(dirs, vsix, env, { timeoutMs = 120_000 } = {}) {
  const out = await run(codeServerBin(), [...baseArgs(dirs), '--install-extension', vsix], env, timeoutMs);
  if (out.timedOut) throw new Error(`--install-extension did not finish within ${timeoutMs / 1000} s (killed):\n${out.stdout}\n${out.stderr}`);
  if (out.code !== 0) throw new Error(`--install-extension failed (${out.code ?? out.signal}):\n${out.stdout}\n${out.stderr}`);
  return out.stdout + out.stderr;
}

/**
 * Runs a command in its own process group and collects its output. After `timeoutMs` the whole
 * group is killed (SIGTERM, then SIGKILL) and the result says `timedOut`.
 */
function run(cmd, args, env, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const kill = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        child.kill(sig);
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 3000).unref();
    }, timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/**
 * Starts code-server in its own process group on a free port and waits for /healthz.
 * Returns { url, port, stop() } — stop() ends the whole group (extension hosts outlive the browser).
 */
export async function startCodeServer(dirs, env, { log = () => {} } = {}) {
  const port = await freePort();
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...baseArgs(dirs),
    dirs.workspace,
  ];
  const logFile = path.join(dirs.base, 'code-server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(codeServerBin(), args, { env, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const pgid = child.pid;
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    for (const [sig, wait] of [['SIGTERM', 3000], ['SIGKILL', 1000]]) {
      try {
        process.kill(-pgid, sig);
      } catch {
        return; // the group is gone
      }
      const end = Date.now() + wait;
      while (Date.now() < end) {
        try {
          process.kill(-pgid, 0);
        } catch {
          return;
        }
        await sleep(100);
      }
    }
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during start-up; see ${logFile}:\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer /healthz within 60 s; see ${logFile}`);
    }
    await sleep(250);
  }
  log(`code-server ${url} (pgid ${pgid}), log ${logFile}`);
  return { url, port, pgid, logFile, stop };
}

/** Headless Debian Chromium, with the flags that keep it from calling hosts this machine cannot reach. */
export async function launchChromium() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** The workbench URL that runs an extension under development and its extensionTestsPath suite. */
export function payloadUrl(server, { workspace, extensionDevelopmentPath, extensionTestsPath }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const q = new URLSearchParams({ folder: workspace });
  if (payload.length > 0) q.set('payload', JSON.stringify(payload));
  return `${server.url}/?${q.toString()}`;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The text of a console message forwarded from the extension host: the workbench logs it as
 * ('%c INFO', 'color: …', format, ...args); apply the format the way Node's console would.
 */
export async function consoleText(msg) {
  let args;
  try {
    args = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => String(a))));
  } catch {
    return msg.text();
  }
  if (args.length >= 2 && typeof args[0] === 'string' && args[0].startsWith('%c') && typeof args[1] === 'string' && /^color:/.test(args[1])) {
    args = args.slice(2);
  }
  return format(...args);
}

/** Starts the loopback Yahoo chart server (test-support, bundled by build.mjs). */
export async function startYahooServer(options = {}) {
  const file = path.join(PKG_ROOT, 'out/integration/fixtures/yahoo-server.cjs');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run node scripts/build.mjs first`);
  const { startYahooChartServer } = require(file);
  return startYahooChartServer(options);
}
