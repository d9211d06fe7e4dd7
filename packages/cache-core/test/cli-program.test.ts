/**
 * runCli in-process with a fake cache: the wiring that the end-to-end test cannot observe
 * directly (the cache is closed after every command, even a failing one; what is passed to
 * openCache; prompts). Real processes, LevelDB and Yahoo are in cli-commands.test.ts,
 * cli-failures.test.ts and cli-other-processes.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BarcacheError, ErrorCode } from '../src/errors.js';
import type { CliDeps, CliIo } from '../src/cli/context.js';
import { runCli } from '../src/cli/program.js';
import { emptyCacheStats } from '../src/stats/stats-snapshot.js';
import type { BarCache, CacheStats, OpenCacheOptions, PrefetchPlan, PrefetchReport, SeriesInfo } from '../src/types.js';

const D = (s: string) => Date.parse(`${s}T00:00:00Z`);
const NOW = Date.parse('2024-06-15T12:00:00Z');

function harness(
  opts: {
    prefetch?: (p: PrefetchPlan) => Promise<PrefetchReport>;
    series?: SeriesInfo[];
    confirm?: boolean;
    tty?: boolean;
    openError?: Error;
  } = {},
) {
  const opened: OpenCacheOptions[] = [];
  const plans: PrefetchPlan[] = [];
  const cleared: unknown[] = [];
  let open = 0;
  let series = opts.series ?? [];
  const out: string[] = [];
  const err: string[] = [];
  const cache: BarCache = {
    dir: '/fake',
    offline: false,
    getBars: async () => [],
    peekBars: () => undefined,
    peekColumns: () => undefined,
    prefetch: async (p) => {
      plans.push(p);
      const report = opts.prefetch
        ? await opts.prefetch(p)
        : { interval: p.interval, symbols: [], providerCalls: 0, barsFetched: 0, elapsedMs: 1, failed: [] };
      return { report, release: () => undefined, [Symbol.asyncDispose]: async () => undefined };
    },
    stats: emptyCacheStats,
    listSeries: async () => series,
    explain: async (q) => ({ symbol: q.symbol, interval: q.interval, start: 0, end: 0, parts: [], plannedRequests: [], missing: [] }),
    clear: async (f) => {
      cleared.push(f);
      series = f === undefined ? [] : series.filter((s) => s.symbol !== f.symbol);
    },
    close: async () => {
      open--;
    },
  };
  const io: CliIo = {
    stdout: { write: (s: string) => out.push(s), isTTY: opts.tty ?? false },
    stderr: { write: (s: string) => err.push(s) },
    stdinIsTTY: opts.confirm !== undefined,
    env: {},
    now: () => NOW,
    confirm: async () => opts.confirm ?? false,
  };
  const deps: CliDeps = {
    openCache: async (o) => {
      opened.push(o);
      if (opts.openError) throw opts.openError;
      open++;
      return cache;
    },
    defaultCacheDir: () => '/default/barcache',
    cacheExists: () => true,
    snapshots: {
      read: async () => ({ entries: [], live: { ...emptyCacheStats(), processes: 0 } }),
      readRuns: async () => ({ runs: [], totals: { ...emptyCacheStats(), processes: 0 } }),
    },
  };
  return {
    run: (...argv: string[]) => runCli(argv, io, deps),
    opened,
    plans,
    cleared,
    get openCount() {
      return open;
    },
    get stdout() {
      return out.join('');
    },
    get stderr() {
      return err.join('');
    },
  };
}

describe('runCli wiring', () => {
  it('warm passes the normalised plan, with defaults, and closes the cache', async () => {
    const h = harness();
    expect(await h.run('warm', 'aapl,msft', '--lookback', '30')).toBe(0);
    expect(h.plans).toHaveLength(1);
    expect(h.plans[0]).toMatchObject({
      symbols: ['AAPL', 'MSFT'],
      interval: '1d',
      start: D('2023-06-15'),
      end: D('2024-06-15'),
      lookback: { bars: 30 },
    });
    expect(h.opened[0]).toMatchObject({ dir: '/default/barcache', offline: false, processLabel: 'barcache warm' });
    expect(h.openCount).toBe(0);
  });

  it('--dir and --offline reach openCache, before or after the command', async () => {
    const h = harness();
    expect(await h.run('--dir', '/x', 'ls', '--offline')).toBe(0);
    expect(h.opened[0]).toMatchObject({ dir: '/x', offline: true });
  });

  it('closes the cache when the command fails, and maps the error to its exit code', async () => {
    const h = harness({
      prefetch: async () => {
        throw new BarcacheError(ErrorCode.PROVIDER_FAILED, 'Yahoo answered 500 three times');
      },
    });
    expect(await h.run('warm', 'AAPL')).toBe(1);
    expect(h.stderr).toBe('barcache: PROVIDER_FAILED: Yahoo answered 500 three times\n');
    expect(h.openCount).toBe(0);
  });

  it('LOCKED from openCache exits 3 naming the holder', async () => {
    const locked = new BarcacheError(ErrorCode.LOCKED, 'cache dir is in use', { details: { holder: { pid: 777 } } });
    const h = harness({ openError: locked });
    expect(await h.run('ls')).toBe(3);
    expect(h.stderr).toBe('barcache: LOCKED: cache dir is in use (held by pid 777)\n');
    expect(h.stdout).toBe('');
  });

  it('clear --all asks on a terminal; "no" removes nothing and exits 1', async () => {
    const series: SeriesInfo[] = [{ provider: 'yahoo', symbol: 'AAPL', interval: '1d', covered: [], bars: 1, bytes: 1 }];
    const no = harness({ series, confirm: false });
    expect(await no.run('clear', '--all')).toBe(1);
    expect(no.cleared).toEqual([]);
    expect(no.opened).toEqual([]);
    const yes = harness({ series, confirm: true });
    expect(await yes.run('clear', '--all')).toBe(0);
    expect(yes.cleared).toEqual([undefined]);
    expect(yes.stdout).toMatch(/AAPL\s*│\s*1d\s*│\s*removed/);
  });

  it('no progress bars without a progress stream; --quiet prints nothing on success', async () => {
    const h = harness({ tty: true });
    expect(await h.run('--quiet', 'warm', 'AAPL')).toBe(0);
    expect(h.stdout).toBe('');
    expect(h.stderr).toBe('');
  });

  it('no arguments prints the help and exits 0', async () => {
    const h = harness();
    expect(await h.run()).toBe(0);
    expect(h.stdout).toMatch(/Usage: barcache/);
  });
});

describe('warm: provider time limits and progress off a terminal', () => {
  it('--timeout and --retry-budget reach the Yahoo provider the cache is opened with', async () => {
    const h = harness();
    expect(await h.run('warm', 'AAPL', '--timeout', '500', '--retry-budget', '2000')).toBe(0);
    const provider = h.opened[0]?.provider as { name?: string; timeoutMs?: number; retryBudgetMs?: number } | undefined;
    expect(provider).toMatchObject({ name: 'yahoo', timeoutMs: 500, retryBudgetMs: 2000 });
    // Without them, the cache's default provider.
    const plain = harness();
    expect(await plain.run('warm', 'AAPL')).toBe(0);
    expect(plain.opened[0]?.provider).toBeUndefined();
  });

  it.each([
    ['--timeout', '0'],
    ['--retry-budget', 'soon'],
  ])('%s %s is INVALID_ARGUMENT before the cache opens', async (flag, value) => {
    const h = harness();
    expect(await h.run('warm', 'AAPL', flag, value)).toBe(2);
    expect(h.stderr).toMatch(/INVALID_ARGUMENT/);
    expect(h.opened).toEqual([]);
  });

  it('prints one line per symbol as it finishes when stdout is not a terminal', async () => {
    const progressing = () => {
      const seen = { before: '' };
      const h = harness({
        prefetch: async (p) => {
          p.onProgress?.({ symbol: 'AAPL', done: 1, total: 2, status: 'ok' });
          p.onProgress?.({ symbol: 'MSFT', done: 2, total: 2, status: 'failed', error: { code: 'RATE_LIMITED', message: 'Yahoo is rate-limiting requests' } });
          seen.before = h.stdout;
          return { interval: p.interval, symbols: [], providerCalls: 0, barsFetched: 0, elapsedMs: 1, failed: [] };
        },
      });
      return { h, seen };
    };
    const { h, seen } = progressing();
    expect(await h.run('warm', 'AAPL', 'MSFT')).toBe(0);
    // Written as the symbols finished, before the warm returned.
    expect(seen.before).toBe('[1/2] AAPL ok\n[2/2] MSFT FAILED RATE_LIMITED: Yahoo is rate-limiting requests\n');
    // Not with --json (stdout is the JSON) nor --quiet.
    for (const flag of ['--json', '--quiet']) {
      const other = progressing();
      expect(await other.h.run('warm', 'AAPL', 'MSFT', flag)).toBe(0);
      expect(other.seen.before).toBe('');
    }
  });
});
