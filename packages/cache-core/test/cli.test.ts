/**
 * The `barcache` CLI end to end: real child processes running the CLI, real LevelDB in a temp
 * dir, the real yahoo-finance2 client talking to a loopback server that speaks Yahoo's chart JSON.
 * Each test has its own server (so request counts are its own) and temp dirs, so tests run
 * concurrently. The CLI runs as the built bin (`node dist/cli/main.js`) when dist is up to date
 * with every source file, else from source through tsx; BARCACHE_CLI_DIST=1 / =0 forces either.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, type TestContext } from 'vitest';
import { makeTempDir, startYahooChartServer, type YahooChartServer } from '@barcache/test-support';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(PKG, '..', '..');
const USE_DIST =
  process.env['BARCACHE_CLI_DIST'] === '1' || (process.env['BARCACHE_CLI_DIST'] !== '0' && distIsFresh(join(PKG, 'src'), join(PKG, 'dist')));
const ENTRY = USE_DIST ? join(PKG, 'dist', 'cli', 'main.js') : join(PKG, 'src', 'cli', 'main.ts');
const NODE_ARGS = USE_DIST ? [] : ['--import', 'tsx'];

const FROM = '2023-01-03';
const TO = '2023-12-29';

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

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface World {
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
async function setup(ctx: TestContext): Promise<World> {
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

function json<T = any>(run: Run): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** Nothing of yahoo-finance2's notices (survey, deprecations) may reach the user. */
function expectNoLibraryNoise(run: Run): void {
  const all = run.stdout + run.stderr;
  expect(all).not.toMatch(/suppressNotices|survey|yahoo-finance2|Deprecated/i);
  expect(all).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack traces
}

function tableRow(text: string, first: string): string | undefined {
  return text.split('\n').find((l) => new RegExp(`^│ ${first.replace(/[.^$]/g, '\\$&')}\\s`).test(l));
}

describe('barcache warm / ls / explain / clear on one cache dir', () => {
  // Many CLI processes in a row: slow on a loaded machine, so a generous limit (not a timing check).
  it.concurrent('warms, re-warms for free, lists, explains, clears one symbol, refuses to clear all', { timeout: 120_000 }, async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();

    // Cold warm: exit 0, the table lists every symbol, one provider request per symbol.
    const warm = await w.cli(dir, ['warm', 'AAPL', 'msft', 'SPY', '--from', FROM, '--to', TO]);
    expect(warm.stderr).toBe('');
    expect(warm.code).toBe(0);
    expectNoLibraryNoise(warm);
    for (const s of ['AAPL', 'MSFT', 'SPY']) {
      const row = tableRow(warm.stdout, s);
      expect(row, `${s} row in\n${warm.stdout}`).toBeDefined();
      expect(row).toMatch(/│\s+2\d\d │/); // ~250 trading days
      expect(row).toMatch(/│ ok\s+│$/);
      expect(row).toMatch(/provider/);
      expect(w.server.chartRequests(s)).toHaveLength(1);
    }
    expect(warm.stdout).toMatch(/symbol\s*│\s*bars\s*│\s*range\s*│\s*source\s*│\s*provider calls\s*│\s*status/);
    expect(warm.stdout).toMatch(/3\/3 symbols ready \(1d\)/);

    // Warm again (a new process): nothing new asked of the provider.
    w.server.resetRequests();
    const again = await w.cli(dir, ['warm', 'AAPL', 'MSFT', 'SPY', '--from', FROM, '--to', TO, '--json']);
    expect(again.code).toBe(0);
    expect(w.server.chartRequests()).toHaveLength(0);
    const againReport = json(again);
    expect(againReport.ok).toBe(true);
    expect(againReport.providerCalls).toBe(0);
    expect(againReport.symbols.map((s: { source: string }) => s.source)).toEqual(['l2', 'l2', 'l2']);

    // ls --json: the three series with their covered ranges.
    const ls = await w.cli(dir, ['ls', '--json']);
    expect(ls.code).toBe(0);
    const series = json<any[]>(ls);
    expect(series.map((s) => s.symbol)).toEqual(['AAPL', 'MSFT', 'SPY']);
    for (const s of series) {
      expect(s.interval).toBe('1d');
      expect(s.bars).toBeGreaterThan(200);
      expect(s.bytes).toBeGreaterThan(0);
      expect(s.covered.length).toBeGreaterThan(0);
      // The covered ranges include the warmed range.
      const from = Date.parse(`${FROM}T00:00:00Z`);
      const to = Date.parse(`${TO}T00:00:00Z`);
      expect(s.covered.some((r: { start: number; end: number }) => r.start <= from && r.end > to)).toBe(true);
      expect(s.covered[0].startIso).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    }
    const lsText = await w.cli(dir, ['ls']);
    expect(lsText.code).toBe(0);
    expect(lsText.stdout).toMatch(/covered/);
    expect(lsText.stdout).toMatch(/3 series, [\d,]+ bars/);

    // explain on the warm range: all from l2 (a fresh process has nothing in memory), nothing missing.
    const warmExplain = await w.cli(dir, ['explain', 'AAPL', '2023-03-01', '2023-06-30']);
    expect(warmExplain.code).toBe(0);
    expect(warmExplain.stdout).toMatch(/l2 \(disk\)/);
    expect(warmExplain.stdout).not.toMatch(/provider \(missing\)/);
    expect(warmExplain.stdout).toContain('missing: none');
    expect(warmExplain.stdout).toContain('provider requests: none');
    const warmExplainJson = json(await w.cli(dir, ['explain', 'AAPL', '2023-03-01', '2023-06-30', '--json']));
    expect(warmExplainJson.missing).toEqual([]);
    expect(warmExplainJson.plannedRequests).toEqual([]);
    expect(new Set(warmExplainJson.parts.map((p: { tier: string }) => p.tier))).toEqual(new Set(['l2']));

    // explain on a cold range: the missing range and the request it would make, and it makes none.
    w.server.resetRequests();
    const cold = await w.cli(dir, ['explain', 'AAPL', '2021-03-01', '2021-03-31', '--json']);
    expect(cold.code).toBe(0);
    const coldReport = json(cold);
    expect(coldReport.missing.length).toBeGreaterThan(0);
    expect(coldReport.plannedRequests.length).toBeGreaterThan(0);
    const req = coldReport.plannedRequests[0];
    expect(req.start).toBeLessThanOrEqual(Date.parse('2021-03-01T00:00:00Z'));
    expect(req.end).toBeGreaterThan(Date.parse('2021-03-31T00:00:00Z'));
    const coldText = await w.cli(dir, ['explain', 'AAPL', '2021-03-01', '2021-03-31']);
    expect(coldText.stdout).toMatch(/provider \(missing\)/);
    expect(coldText.stdout).toMatch(/provider requests: \d+\n  \[\d{4}-\d\d-\d\dT/);
    expect(w.server.chartRequests()).toHaveLength(0);

    // clear without a filter and without --all: refused, nothing removed.
    const refuse = await w.cli(dir, ['clear']);
    expect(refuse.code).toBe(2);
    expect(refuse.stderr).toMatch(/^barcache: INVALID_ARGUMENT: refusing to clear the whole cache/);
    expect(json<any[]>(await w.cli(dir, ['ls', '--json']))).toHaveLength(3);

    // clear --symbol MSFT: only MSFT goes, and the output says so.
    const clear = await w.cli(dir, ['clear', '--symbol', 'msft']);
    expect(clear.code).toBe(0);
    expect(tableRow(clear.stdout, 'MSFT')).toMatch(/removed/);
    expect(clear.stdout).not.toMatch(/AAPL|SPY/);
    expect(clear.stdout).toMatch(/1 series removed/);
    const after = json<any[]>(await w.cli(dir, ['ls', '--json']));
    expect(after.map((s) => s.symbol)).toEqual(['AAPL', 'SPY']);

    // clear --all without --yes and without a terminal: refused; with --yes: everything goes.
    const noYes = await w.cli(dir, ['clear', '--all']);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/INVALID_ARGUMENT: clear --all needs --yes/);
    const all = await w.cli(dir, ['clear', '--all', '--yes', '--json']);
    expect(all.code).toBe(0);
    expect(json<any[]>(all).map((c) => `${c.symbol}:${c.action}`)).toEqual(['AAPL:removed', 'SPY:removed']);
    expect(json<any[]>(await w.cli(dir, ['ls', '--json']))).toEqual([]);
  });
});

describe('barcache warm with a failing symbol', () => {
  it.concurrent('stores the others, exits 1, and lists the failure with UNKNOWN_SYMBOL', async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    const run = await w.cli(dir, ['warm', 'AAPL', 'NOSUCHSYMBOL', 'MSFT', '--from', FROM, '--to', TO]);
    expect(run.code).toBe(1);
    expectNoLibraryNoise(run);
    expect(tableRow(run.stdout, 'AAPL')).toMatch(/│ ok\s+│$/);
    expect(tableRow(run.stdout, 'MSFT')).toMatch(/│ ok\s+│$/);
    expect(tableRow(run.stdout, 'NOSUCHSYMBOL')).toMatch(/FAILED UNKNOWN_SYMBOL/);
    expect(run.stderr).toMatch(/1 of 3 symbols failed/);
    expect(run.stderr).toMatch(/^ {2}NOSUCHSYMBOL: UNKNOWN_SYMBOL: /m);

    const series = json<any[]>(await w.cli(dir, ['ls', '--json']));
    expect(series.map((s) => s.symbol)).toEqual(['AAPL', 'MSFT']);
  });
});

describe('barcache warm with a provider that answers garbage', () => {
  it.concurrent('fails that symbol with its code, keeps the others, exits 1', async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    w.server.setFault({ kind: 'malformed' }, 'MSFT');
    const run = await w.cli(dir, ['warm', 'AAPL', 'MSFT', '--from', FROM, '--to', TO]);
    expect(run.code).toBe(1);
    expectNoLibraryNoise(run);
    expect(tableRow(run.stdout, 'AAPL')).toMatch(/│ ok\s+│$/);
    expect(tableRow(run.stdout, 'MSFT')).toMatch(/FAILED PROVIDER_/);
    expect(run.stderr).toMatch(/^ {2}MSFT: PROVIDER_[A-Z_]+: /m);
    w.server.clearFaults();
    // Nothing stored is lost, and the cache is usable: a retry fills MSFT only.
    w.server.resetRequests();
    const retry = await w.cli(dir, ['warm', 'AAPL', 'MSFT', '--from', FROM, '--to', TO]);
    expect(retry.code).toBe(0);
    expect(w.server.chartRequests('AAPL')).toHaveLength(0);
    expect(w.server.chartRequests('MSFT')).toHaveLength(1);
  });
});

describe('Ctrl-C during a warm', () => {
  it.concurrent('stops, keeps what finished, closes the cache (exit 130), and the dir is usable at once', async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    w.server.resetRequests();
    w.server.setLatency(1500);
    const symbols = ['AAPL', 'MSFT', 'SPY', 'QQQ', 'IWM', 'DIA', 'GLD', 'TLT', 'XLE', 'XLF'];
    const { child, done } = w.cliChild(dir, ['warm', ...symbols, '--from', FROM, '--to', TO]);
    // Interrupt once the first wave of requests has reached the w.server.
    for (let i = 0; i < 200 && w.server.chartRequests().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGINT');
    const run = await done;
    w.server.setLatency(0);
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/interrupt/);
    expect(run.stdout).toMatch(/FAILED ABORTED/);
    expect(w.server.chartRequests().length).toBeLessThan(symbols.length);
    const ls = await w.cli(dir, ['ls', '--json', '--lock-timeout', '0']);
    expect(ls.code).toBe(0);
  });
});

describe('bad input exits 2 with the code, before touching the cache or the provider', () => {
  it.concurrent.for([
    ['a reversed range', ['warm', 'AAPL', '--from', '2024-02-01', '--to', '2024-01-01'], 'INVALID_ARGUMENT', /reversed range/],
    ['a bad date', ['warm', 'AAPL', '--from', '2024-13-45'], 'INVALID_ARGUMENT', /from "2024-13-45"/],
    ['a bad interval', ['warm', 'AAPL', '--interval', '7d'], 'UNSUPPORTED_INTERVAL', /"7d"/],
    ['a malformed symbol', ['warm', 'AA PL'], 'INVALID_ARGUMENT', /symbol/],
    ['explain reversed', ['explain', 'AAPL', '2024-02-01', '2024-01-01'], 'INVALID_ARGUMENT', /reversed range/],
    ['explain bad interval', ['explain', 'AAPL', '2024-01-01', '2024-02-01', '-i', '2h'], 'UNSUPPORTED_INTERVAL', /"2h"/],
    ['ls on a dir with no cache', ['ls'], 'NO_CACHE', /no cache at .*never-created/],
    ['stats on a dir with no cache', ['stats'], 'NO_CACHE', /no cache at .*never-created/],
    ['explain on a dir with no cache', ['explain', 'AAPL', '2024-01-01', '2024-02-01'], 'NO_CACHE', /no cache at .*never-created/],
  ] as [string, string[], string, RegExp][])('%s', async ([_name, args, code, message], ctx) => {
    const w = await setup(ctx);
    const dir = join(w.tempDir(), 'never-created');
    w.server.resetRequests();
    const run = await w.cli(dir, args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^barcache: ${code}: `));
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1); // one line, no stack
    expect(w.server.chartRequests()).toHaveLength(0);
    expect(existsSync(dir)).toBe(false);
  });

  it.concurrent('usage errors from the argument parser exit 2 too', async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    const missing = await w.cli(dir, ['warm']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/barcache: usage: missing required argument 'symbols'/);
    const unknown = await w.cli(dir, ['ls', '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--frobnicate'/);
    const noCmd = await w.cli(dir, ['frobnicate']);
    expect(noCmd.code).toBe(2);
  });

  it.concurrent('--help exits 0 and lists the commands', async (ctx) => {
    const w = await setup(ctx);
    const run = await w.cli(w.tempDir(), ['--help']);
    expect(run.code).toBe(0);
    for (const c of ['warm', 'stats', 'ls', 'clear', 'explain']) expect(run.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
    expect(run.stdout).toMatch(/Exit status/);
  });
});

describe('another process holding the cache dir', () => {
  // Many CLI processes in a row: slow on a loaded machine, so a generous limit (not a timing check).
  it.concurrent('a backtest holds the dir: warm, ls, explain and stats work alongside it (they follow it)', { timeout: 120_000 }, async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    expect((await w.cli(dir, ['warm', 'AAPL', '--from', FROM, '--to', TO])).code).toBe(0);

    const holder = await w.startHolder(dir);
    const leader = JSON.parse(readFileSync(join(dir, 'leader.json'), 'utf8'));
    expect(leader.pid).toBe(holder.pid);

    const warm = await w.cli(dir, ['warm', 'MSFT', '--from', FROM, '--to', TO, '--json']);
    expect(warm.stderr).toBe('');
    expect(warm.code).toBe(0);
    expect(json(warm).providerCalls).toBe(1);
    const ls = await w.cli(dir, ['ls', '--json']);
    expect(ls.code).toBe(0);
    expect(json<{ symbol: string }[]>(ls).map((s) => s.symbol)).toEqual(['AAPL', 'MSFT']);
    const explain = await w.cli(dir, ['explain', 'MSFT', '2023-03-01', '2023-06-30', '--json']);
    expect(explain.code).toBe(0);
    expect(json(explain).missing).toEqual([]);

    const stats = await w.cli(dir, ['stats', '--json']);
    expect(stats.code).toBe(0);
    const s = json(stats);
    expect(s.locked).toBeUndefined();
    expect(s.disk.series).toBe(2);
    expect(s.live.processes).toBe(1);
    expect(s.live.requests).toBeGreaterThanOrEqual(2);
    expect(s.processes.find((p: { pid: number }) => p.pid === holder.pid)).toMatchObject({ label: 'test holder', state: 'live' });
    // The holder still leads: nobody took the dir from it.
    expect(JSON.parse(readFileSync(join(dir, 'leader.json'), 'utf8')).pid).toBe(holder.pid);

    holder.child.kill('SIGTERM');
    await new Promise((r) => holder.child.once('close', r));
    expect((await w.cli(dir, ['ls'])).code).toBe(0);
  });

  it.concurrent('an exclusive holder: LOCKED exits 3 naming it; stats still reports, naming it, and counts its requests', async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    expect((await w.cli(dir, ['warm', 'AAPL', '--from', FROM, '--to', TO])).code).toBe(0);

    const holder = await w.startHolder(dir, { exclusive: true });
    const run = await w.cli(dir, ['ls', '--lock-timeout', '200']);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^barcache: LOCKED: /);
    expect(run.stderr).toMatch(new RegExp(`\\b${holder.pid}\\b`));
    expect(run.stderr.trim().split('\n')).toHaveLength(1);

    const warm = await w.cli(dir, ['warm', 'MSFT', '--from', FROM, '--to', TO, '--lock-timeout', '200']);
    expect(warm.code).toBe(3);

    const stats = await w.cli(dir, ['stats', '--json']);
    expect(stats.code).toBe(0);
    const s = json(stats);
    expect(s.locked.pid).toBe(holder.pid);
    // The disk figure comes from the holder's snapshot.
    expect(s.disk.series).toBe(1);
    expect(s.live.processes).toBe(1);
    expect(s.live.requests).toBeGreaterThanOrEqual(1);
    const mine = s.processes.find((p: { pid: number }) => p.pid === holder.pid);
    expect(mine).toMatchObject({ label: 'test holder', state: 'live' });

    const text = await w.cli(dir, ['stats']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`in use by pid ${holder.pid}`));
    expect(text.stdout).toMatch(/live now \(1\)/);
    expect(text.stdout).toMatch(new RegExp(`│\\s+${holder.pid} │ test holder`));

    holder.child.kill('SIGTERM');
    await new Promise((r) => holder.child.once('close', r));
    // Released: the next command opens the dir again.
    expect((await w.cli(dir, ['ls'])).code).toBe(0);
  }, 120_000);
});

describe('barcache stats', () => {
  // Many CLI processes in a row: slow on a loaded machine, so a generous limit (not a timing check).
  it.concurrent('remembers the runs of other processes: the warm\'s calls and errors, not the stats command\'s own zeros', { timeout: 120_000 }, async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    // Read-only: no cache yet is NO_CACHE (exit 2), and nothing is created.
    const none = await w.cli(dir, ['stats', '--json']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/NO_CACHE: no cache at /);

    expect((await w.cli(dir, ['warm', 'AAPL', 'MSFT', 'SPY', '--from', FROM, '--to', TO])).code).toBe(0);
    const bad = await w.cli(dir, ['warm', 'NOSUCHSYMBOL', '--from', FROM, '--to', TO]);
    expect(bad.code).toBe(1);
    const run = await w.cli(dir, ['stats', '--json']);
    expect(run.code).toBe(0);
    const s = json(run);
    expect(s.dir).toBe(dir);
    expect(s.disk.series).toBe(3);
    expect(s.disk.bytes).toBeGreaterThan(0);
    // Both warms have exited: nothing is live, but both runs are remembered, newest first.
    expect(s.live.processes).toBe(0);
    expect(s.processes).toEqual([]);
    expect(s.runs.map((r: { label: string }) => r.label)).toEqual(['barcache warm', 'barcache warm']);
    expect(s.runs[0].stats.provider.errors).toBeGreaterThanOrEqual(1);
    expect(s.runs[1].stats.provider.calls).toBe(w.server.chartRequests('AAPL', '1d').length + w.server.chartRequests('MSFT', '1d').length + w.server.chartRequests('SPY', '1d').length);
    expect(s.history.totals.provider.calls).toBe(s.runs[0].stats.provider.calls + s.runs[1].stats.provider.calls);
    // One disk-size figure: stats and ls agree.
    const ls = await w.cli(dir, ['ls']);
    const lsBytes = /series, [\d,]+ bars, ([\d.]+ \w+) on disk/.exec(ls.stdout)?.[1];
    const text = await w.cli(dir, ['stats']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`on disk: 3 series, ${lsBytes}`);
    expect(text.stdout).toMatch(/hit rate/);
    expect(text.stdout).toMatch(/live now \(0\)/);
    expect(text.stdout).toMatch(/last 2 runs/);
    expect(text.stdout).toMatch(/│ barcache warm │/);

    // A process that read bars and closed its cache but still runs: listed with its counts,
    // not summed as live, and the dir is free for this one.
    const holder = await w.startHolder(dir, { closeAfterRead: true });
    const withHolder = json(await w.cli(dir, ['stats', '--json']));
    expect(withHolder.locked).toBeUndefined();
    expect(withHolder.disk.series).toBe(3);
    expect(withHolder.live.processes).toBe(0);
    const entry = withHolder.processes.find((p: { pid: number }) => p.pid === holder.pid);
    expect(entry).toMatchObject({ label: 'test holder', state: 'closed' });
    expect(entry.stats.requests).toBe(2);
    expect(entry.stats.l2.hits + entry.stats.l1.hits).toBe(2);
    expect(entry.stats.provider.calls).toBe(0);
    // …and its run is in the history too.
    expect(withHolder.runs[0]).toMatchObject({ label: 'test holder', pid: holder.pid });
    expect(withHolder.runs[0].stats.requests).toBe(2);
  });
});

describe('intraday warm', () => {
  it.concurrent('a date as --to includes that whole day of 15m bars', async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    const DAY = 86_400_000;
    // A week ending ten days ago: inside Yahoo's intraday history, clear of the forming bar.
    const toDay = Math.floor(Date.now() / DAY) * DAY - 10 * DAY;
    const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
    const run = await w.cli(dir, ['warm', 'AAPL', '-i', '15m', '--from', iso(toDay - 6 * DAY), '--to', iso(toDay), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = json(run);
    expect(report.interval).toBe('15m');
    expect(report.symbols[0].end).toBe(toDay + DAY - 1);
    expect(report.symbols[0].bars).toBeGreaterThanOrEqual(26 * 3); // at least three sessions of 26 bars
    expect(w.server.chartRequests('AAPL', '15m')).toHaveLength(1);
  });
});

describe('--offline', () => {
  it.concurrent('serves what is stored, fails a cold range with OFFLINE_MISS, and calls nobody', async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    const cold = await w.cli(dir, ['--offline', 'warm', 'AAPL', '--from', FROM, '--to', TO]);
    expect(cold.code).toBe(1);
    expect(cold.stderr).toMatch(/^ {2}AAPL: OFFLINE_MISS: /m);
    expect(w.server.chartRequests()).toHaveLength(0);

    expect((await w.cli(dir, ['warm', 'AAPL', '--from', FROM, '--to', TO])).code).toBe(0);
    w.server.resetRequests();
    const warm = await w.cli(dir, ['warm', 'AAPL', '--from', FROM, '--to', TO, '--offline']);
    expect(warm.code).toBe(0);
    const explain = await w.cli(dir, ['--offline', 'explain', 'AAPL', '2021-03-01', '2021-03-31']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/provider \(missing\)/);
    expect(explain.stdout).toMatch(/--offline: .*OFFLINE_MISS/);
    expect(w.server.chartRequests()).toHaveLength(0);
  });
});


describe('barcache warm in a 429 storm, off a terminal', () => {
  it.concurrent('prints a line per symbol as it goes, fails fast with RATE_LIMITED saying when, within --retry-budget', async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    w.server.setFault({ kind: 'status', status: 429 });
    const symbols = ['AAPL', 'MSFT', 'SPY', 'QQQ', 'IBM', 'AMD', 'TSLA', 'NVDA'];
    const { child, done } = w.cliChild(dir, ['warm', ...symbols, '--from', FROM, '--to', TO, '--retry-budget', '1500', '--timeout', '1000']);
    // A progress line arrives while the warm is still running.
    let sawLineWhileRunning = false;
    child.stdout!.on('data', (s: string) => {
      if (/^\[\d+\/8\] [A-Z]+ FAILED RATE_LIMITED/m.test(s) && child.exitCode === null) sawLineWhileRunning = true;
    });
    const run = await done;
    expect(run.code).toBe(1);
    expect(sawLineWhileRunning).toBe(true);
    expect(run.stdout.match(/^\[\d+\/8\] /gm)).toHaveLength(8);
    expect(run.stderr).toMatch(/^ {2}AAPL: RATE_LIMITED: Yahoo is rate-limiting requests .*asks Yahoo again at \d{4}-\d\d-\d\dT/m);
    expect(w.server.chartRequests().length).toBeLessThanOrEqual(10);
    expectNoLibraryNoise(run);
  });
});
