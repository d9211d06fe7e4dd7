/**
 * The world of the `barcache` CLI end-to-end tests (cli-commands, cli-failures, cli-other-processes):
 * real child processes running the CLI, real LevelDB in a temp dir, the real yahoo-finance2 client
 * talking to a loopback server that speaks Yahoo's chart JSON. Each test has its own server (so
 * request counts are its own) and temp dirs, so tests run concurrently. The CLI runs as the built
 * bin (`node dist/cli/main.js`) when dist is up to date with every source file, else from source
 * through tsx; BARCACHE_CLI_DIST=1 / =0 forces either.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type TestContext } from 'vitest';
import { makeTempDir, startYahooChartServer, type YahooChartServer } from '@barcache/test-support';

const PKG = fileURLToPath(new URL('../..', import.meta.url));
const REPO = join(PKG, '..', '..');
const USE_DIST =
  process.env['BARCACHE_CLI_DIST'] === '1' || (process.env['BARCACHE_CLI_DIST'] !== '0' && distIsFresh(join(PKG, 'src'), join(PKG, 'dist')));
const ENTRY = USE_DIST ? join(PKG, 'dist', 'cli', 'main.js') : join(PKG, 'src', 'cli', 'main.ts');
const NODE_ARGS = USE_DIST ? [] : ['--import', 'tsx'];

export const FROM = '2023-01-03';
export const TO = '2023-12-29';

/** True when every src/**\/*.ts has a dist .js at least as new (so dist runs the code under test). */
function distIsFresh(src: string, dist: string): boolean {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  try {
    return walk(src)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
      .every((f) => {
        const out = join(dist, relative(src, f)).replace(/\.ts$/, '.js');
        return existsSync(out) && statSync(out).mtimeMs >= statSync(f).mtimeMs;
      });
  } catch {
    return false;
  }
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface World {
  server: YahooChartServer;
  /** A fresh temp dir, removed after the test. */
  tempDir(): string;
  /** Runs `barcache <args>` as a child process with BARCACHE_DIR=dir and this test's Yahoo server. */
  cli(dir: string, args: string[]): Promise<Run>;
  cliChild(dir: string, args: string[]): { child: ChildProcess; done: Promise<Run> };
  /** A process that opens the cache dir, reads some bars and keeps running until killed. */
  startHolder(dir: string, opts?: { closeAfterRead?: boolean; exclusive?: boolean }): Promise<{ pid: number; child: ChildProcess }>;
}

/** This test's server, temp dirs and child processes, all cleaned up when it finishes. */
export async function setup(ctx: TestContext): Promise<World> {
  const server = await startYahooChartServer();
  const children: ChildProcess[] = [];
  const temps: { cleanup(): Promise<void> }[] = [];
  ctx.onTestFinished(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('close', r)) : undefined)));
    await server.close();
    for (const t of temps) await t.cleanup();
  });

  const env = (dir: string): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, BARCACHE_DIR: dir, BARCACHE_YAHOO_BASE_URL: server.url, NO_COLOR: '1' };
    delete e['FORCE_COLOR'];
    delete e['BARCACHE_OFFLINE'];
    return e;
  };
  const tempDir = (): string => {
    const t = makeTempDir('barcache-cli-');
    temps.push(t);
    return t.path;
  };
  const spawnNode = (args: string[], dir: string): { child: ChildProcess; done: Promise<Run> } => {
    const child = spawn(process.execPath, args, { cwd: REPO, env: env(dir), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const done = new Promise<Run>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : null), stdout, stderr }));
    });
    return { child, done };
  };
  const cliChild = (dir: string, args: string[]) => spawnNode([...NODE_ARGS, ENTRY, ...args], dir);

  const startHolder = async (dir: string, opts: { closeAfterRead?: boolean; exclusive?: boolean } = {}) => {
    const script = join(tempDir(), 'holder.mts');
    const openCacheModule = join(PKG, 'src', 'open-cache.ts');
    writeFileSync(
      script,
      `import { openCache } from ${JSON.stringify(openCacheModule)};
const cache = await openCache({ dir: ${JSON.stringify(dir)}, offline: true, processLabel: 'test holder'${opts.exclusive ? ', exclusive: true' : ''} });
await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2023-03-01', end: '2023-03-31' });
await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2023-03-01', end: '2023-03-31' });
${opts.closeAfterRead ? 'await cache.close();' : ''}
process.on('SIGTERM', async () => { await cache.close(); process.exit(0); });
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);
`,
    );
    const { child, done } = spawnNode(['--import', 'tsx', script], dir); // the holder always runs from source
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (s: string) => s.includes('ready') && resolve());
      void done.then((r) => reject(new Error(`holder exited ${r.code}: ${r.stderr}`)));
    });
    // Wait until its stats snapshot shows the reads (snapshots are written asynchronously).
    const file = join(dir, 'stats', `${child.pid}.json`);
    for (let i = 0; i < 100; i++) {
      try {
        const snap = JSON.parse(readFileSync(file, 'utf8'));
        if (snap.stats.requests >= 2 && (!opts.closeAfterRead || snap.closed)) break;
      } catch {
        // not written yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return { pid: child.pid!, child };
  };

  return { server, tempDir, cli: (dir, args) => cliChild(dir, args).done, cliChild, startHolder };
}

export function json<T = any>(run: Run): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** Nothing of yahoo-finance2's notices (survey, deprecations) may reach the user. */
export function expectNoLibraryNoise(run: Run): void {
  const all = run.stdout + run.stderr;
  expect(all).not.toMatch(/suppressNotices|survey|yahoo-finance2|Deprecated/i);
  expect(all).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack traces
}

export function tableRow(text: string, first: string): string | undefined {
  return text.split('\n').find((l) => new RegExp(`^│ ${first.replace(/[.^$]/g, '\\$&')}\\s`).test(l));
}
