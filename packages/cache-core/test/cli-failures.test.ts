/**
 * The `barcache` CLI end to end when things go wrong: bad input and usage errors (exit 2), a failing
 * or garbage-answering symbol (exit 1, the others kept), Ctrl-C (exit 130), a 429 storm. Real child
 * processes, LevelDB and the yahoo-finance2 client (see helpers/cli-world.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FROM, TO, expectNoLibraryNoise, json, setup, tableRow } from './helpers/cli-world.js';

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
