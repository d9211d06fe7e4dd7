/**
 * `barcache import` end to end: the real CLI in child processes, real LevelDB in temp dirs, no
 * network. Files of each layout go in under their own provider name; a bad file stores nothing;
 * an import killed midway (SIGKILL) leaves no series claiming bars it does not hold.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTempDir } from '@barcache/test-support';
import { openCache } from '../src/open-cache.js';
import type { BarProvider } from '../src/types.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const USE_DIST = process.env['BARCACHE_CLI_DIST'] === '1' || (process.env['BARCACHE_CLI_DIST'] !== '0' && distIsFresh(join(PKG, 'src'), join(PKG, 'dist')));
const ENTRY = USE_DIST ? join(PKG, 'dist', 'cli', 'main.js') : join(PKG, 'src', 'cli', 'main.ts');
const NODE_ARGS = USE_DIST ? [] : ['--import', 'tsx'];
const DAY = 86_400_000;

function distIsFresh(src: string, dist: string): boolean {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  try {
    return walk(src)
      .filter((f) => f.endsWith('.ts'))
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
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cli(dir: string, args: string[], onStderr?: (text: string, kill: () => void) => void): Promise<Run> {
  const env = { ...process.env, BARCACHE_DIR: dir, BARCACHE_YAHOO_BASE_URL: 'http://127.0.0.1:9' };
  const child = spawn(process.execPath, [...NODE_ARGS, ENTRY, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => {
    stderr += c;
    onStderr?.(stderr, () => child.kill('SIGKILL'));
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** A provider that only lends its name: reading what `import` stored, offline. */
const named = (name: string): BarProvider => ({ name, fetchBars: () => Promise.reject(new Error('no fetching here')) });

/** A daily CSV of `days` weekdays from 2010-01-04 (SYNTHETIC), deterministic per seed. */
function dailyCsv(days: number, seed: number): { text: string; times: number[] } {
  const lines = ['Date,Open,High,Low,Close,Adj Close,Volume'];
  const times: number[] = [];
  let t = Date.parse('2010-01-04T00:00:00Z');
  let price = 50 + seed;
  while (times.length < days) {
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6) {
      price = Math.max(1, price + Math.sin(times.length * 0.7 + seed) * 0.8);
      const p = price.toFixed(2);
      lines.push(`${new Date(t).toISOString().slice(0, 10)},${p},${(price + 1).toFixed(2)},${(price - 1).toFixed(2)},${p},${p},${1000 + times.length}`);
      times.push(t);
    }
    t += DAY;
  }
  return { text: `${lines.join('\n')}\n`, times };
}

describe('barcache import', () => {
  const temp = useTempDir('barcache-import-', { beforeEach, afterEach });

  it('imports Yahoo, Stooq and broker layouts under provider "file"; ls and explain show it; the bars are the file\'s', { timeout: 120_000 }, async () => {
    const files = join(temp.path, 'prices');
    mkdirSync(files);
    writeFileSync(join(files, 'AAPL.csv'), 'Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,187.15,188.44,183.89,185.64,184.94,82488700\n2024-01-03,184.22,185.88,183.43,184.25,183.55,58414500\n');
    writeFileSync(join(files, 'msft.us.txt'), 'Date,Open,High,Low,Close,Volume\n2024-01-02,373.86,375.9,366.77,370.87,25258600\n');
    writeFileSync(join(files, 'SPY_5m.csv'), 'Time,Open,High,Low,Close,Volume\n2024-01-02 09:30:00,472.16,472.5,471.9,472.1,1000\n2024-01-02 09:35:00,472.1,472.3,471.5,471.8,900\n');
    const dir = join(temp.path, 'cache');

    const run = await cli(dir, ['import', files, '--tz', 'America/New_York', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.provider).toBe('file');
    expect(report.series.map((s: { symbol: string; interval: string; bars: number; stored: number }) => `${s.symbol} ${s.interval} ${s.bars}/${s.stored}`)).toEqual([
      'AAPL 1d 2/2',
      'SPY 5m 2/2',
      'MSFT.US 1d 1/1',
    ]);

    const ls = await cli(dir, ['ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/│ AAPL\s+│ 1d\s+│ file\s+│/);
    expect(ls.stdout).not.toMatch(/yahoo/);
    const explain = await cli(dir, ['explain', 'SPY', '2024-01-02', '2024-01-02', '-i', '5m']);
    expect(explain.stdout).toContain('(provider: file)');
    expect(explain.stdout).toContain('missing: none');

    const cache = await openCache({ dir, provider: named('file'), offline: true, statsSnapshots: false });
    try {
      const spy = await cache.getBars({ symbol: 'SPY', interval: '5m', start: '2024-01-02', end: '2024-01-03' });
      // 09:30 New York in January is 14:30 UTC.
      expect(spy.map((b) => [b.time, b.close])).toEqual([[Date.parse('2024-01-02T14:30:00Z'), 472.1], [Date.parse('2024-01-02T14:35:00Z'), 471.8]]);
      const aapl = await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-01', end: '2024-01-31' });
      expect(aapl.map((b) => b.adjClose)).toEqual([184.94, 183.55]);
    } finally {
      await cache.close();
    }
  });

  it.each([
    ['a missing column', 'Date,Open,High,Low,Volume\n2024-01-02,1,2,0.5,10\n', 1, /missing column close/],
    ['a bad number', 'Date,Open,High,Low,Close\n2024-01-02,1,2,0.5,1\n2024-01-03,1,2,0.5,1O\n', 3, /bad number in column close: "1O"/],
    ['unsorted rows', 'Date,Open,High,Low,Close\n2024-01-03,1,2,0.5,1\n2024-01-04,1,2,0.5,1\n2024-01-02,1,2,0.5,1\n', 4, /not sorted by time/],
    ['duplicate timestamps', 'Date,Open,High,Low,Close\n2024-01-02,1,2,0.5,1\n2024-01-02,1,2,0.5,1\n', 3, /duplicate time/],
    ['mixed time zones', 'Time,Open,High,Low,Close\n2024-01-02T14:30:00Z,1,2,0.5,1\n2024-01-02T14:35:00,1,2,0.5,1\n', 3, /mixed time zones/],
  ] as [string, string, number, RegExp][])('%s: INVALID_FILE naming file and line, exit 2, nothing stored', { timeout: 60_000 }, async (_name, text, line, message) => {
    const files = join(temp.path, 'prices');
    mkdirSync(files);
    writeFileSync(join(files, 'GOOD.csv'), 'Date,Open,High,Low,Close\n2024-01-02,1,2,0.5,1\n');
    writeFileSync(join(files, 'BAD.csv'), text);
    const dir = join(temp.path, 'cache');
    const run = await cli(dir, ['import', files]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^barcache: INVALID_FILE: ${join(files, 'BAD.csv').replace(/[.\\/]/g, '\\$&')}:${line}: `));
    expect(run.stderr).toMatch(message);
    // Validated before the cache was opened: not even GOOD.csv was stored, no cache was created.
    expect(existsSync(dir)).toBe(false);
  });

  it('killed midway (SIGKILL): every series the cache lists holds all its bars; the rest are absent', { timeout: 180_000 }, async () => {
    const files = join(temp.path, 'prices');
    mkdirSync(files);
    const expected = new Map<string, number[]>();
    for (let i = 0; i < 40; i++) {
      const symbol = `S${String(i).padStart(2, '0')}`;
      const { text, times } = dailyCsv(3000, i);
      writeFileSync(join(files, `${symbol}.csv`), text);
      expected.set(symbol, times);
    }
    const dir = join(temp.path, 'cache');
    // Kill as soon as the first series is reported stored: the import is between commits or in one.
    const run = await cli(dir, ['import', files], (err, kill) => {
      if (/imported S\d\d 1d \(1\/40\)/.test(err)) kill();
    });
    expect(run.signal).toBe('SIGKILL');

    const cache = await openCache({ dir, provider: named('file'), offline: true, statsSnapshots: false, lockTimeoutMs: 10_000 });
    try {
      const listed = await cache.listSeries();
      expect(listed.length).toBeGreaterThanOrEqual(1);
      expect(listed.length).toBeLessThan(40);
      for (const s of listed) {
        const times = expected.get(s.symbol)!;
        const bars = await cache.getBars({ symbol: s.symbol, interval: '1d', start: times[0]!, end: times.at(-1)! });
        expect(bars.map((b) => b.time), s.symbol).toEqual(times);
        expect(s.bars).toBe(times.length);
      }
    } finally {
      await cache.close();
    }
  });
});
