/**
 * A full disk and a read-only one, on real small file systems (a tmpfs mounted for the test: needs
 * root on Linux; skipped with a printed line elsewhere), and a --dir that names a file. Each is a
 * coded error naming the path; nothing stored is lost; what is stored stays readable, and a full
 * disk can still be opened for reading.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startYahooChartServer, type TempDir, type YahooChartServer } from '@barcache/test-support';
import { ErrorCode, isBarcacheError, type BarCache } from '@barcache/cache-core';
import { runCli } from '../../src/cli/program.js';
import { openCache } from '../../src/open-cache.js';
import { open, truth } from './damage-check.js';

let server: YahooChartServer;
let tmp: TempDir;
const mounted: string[] = [];
beforeAll(async () => {
  server = await startYahooChartServer();
  tmp = makeTempDir('barcache-diskfull-');
});
afterEach(() => {
  for (const m of mounted.splice(0)) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
});
afterAll(async () => {
  await server?.close();
  await tmp?.cleanup();
});

/** Mounts a tmpfs of `size` at a new dir; undefined (and a printed reason) when the machine does not allow it. */
function mountTmpfs(name: string, size: string): string | undefined {
  const dir = path.join(tmp.path, name);
  mkdirSync(dir, { recursive: true });
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    console.log(`SKIPPED (${name}): mounting a small tmpfs needs root on Linux; this machine does not allow it`);
    return undefined;
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    console.log(`SKIPPED (${name}): cannot mount a tmpfs here: ${String((err as Error).message).split('\n')[0]}`);
    return undefined;
  }
  mounted.push(dir);
  return dir;
}

const YEARS = { from: '2015-01-01', to: '2019-12-31' };

async function expectTrue(cache: BarCache, symbol: string): Promise<void> {
  const bars = await cache.getBars({ symbol, interval: '1d', start: YEARS.from, end: YEARS.to });
  expect(bars).toEqual(truth(symbol, YEARS.from, YEARS.to));
}

describe('fault injection: a full disk', () => {
  it('DISK_FULL names the path, loses nothing, and the full disk still opens for reading', async (ctx) => {
    const mnt = mountTmpfs('full', '1m');
    if (mnt === undefined) return ctx.skip();
    const dir = path.join(mnt, 'cache');
    // Space to give back at the end (LevelDB needs room to recover its log when it opens).
    const reserve = path.join(mnt, 'reserve');
    writeFileSync(reserve, Buffer.alloc(640 * 1024));
    let cache = await open(dir, server);
    const stored: string[] = [];
    let full: unknown;
    for (let i = 0; i < 300 && full === undefined; i++) {
      try {
        await expectTrue(cache, `F${i}`);
        stored.push(`F${i}`);
      } catch (err) {
        full = err;
      }
    }
    expect(isBarcacheError(full, ErrorCode.DISK_FULL), `got ${String(full)}`).toBe(true);
    expect((full as { details: { path: string } }).details.path).toBe(dir);
    expect((full as Error).message).toContain(dir);
    expect(stored.length).toBeGreaterThan(3);
    // Same instance: every stored series still reads back whole, without the provider.
    const calls = server.chartRequests().length;
    for (const s of stored) await expectTrue(cache, s);
    expect(server.chartRequests().length).toBe(calls);
    await cache.close();

    // Fill the last bytes, so that LevelDB cannot even recover its log at open.
    const ballast = path.join(mnt, 'ballast');
    try {
      for (let i = 0; i < 1000; i++) writeFileSync(ballast, Buffer.alloc(4096), { flag: 'a' });
    } catch {
      // full
    }
    cache = await open(dir, server);
    for (const s of stored) await expectTrue(cache, s);
    const more = await cache.getBars({ symbol: 'NEW', interval: '1d', start: YEARS.from, end: YEARS.to }).catch((e: unknown) => e);
    expect(isBarcacheError(more, ErrorCode.DISK_FULL), `got ${String(more)}`).toBe(true);
    await cache.close();
    cache = await open(dir, server, { offline: true });
    for (const s of stored) await expectTrue(cache, s);
    await cache.close();

    // Space again: everything is still there, and writing works.
    await rm(ballast);
    await rm(reserve);
    cache = await open(dir, server, { offline: true });
    for (const s of stored) await expectTrue(cache, s);
    await cache.close();
    cache = await open(dir, server);
    await cache.clear({ symbol: stored[0]! });
    await expectTrue(cache, stored[0]!);
    await cache.close();
  }, 60_000);
});

describe('fault injection: a dir that cannot be written', () => {
  it('a read-only dir: PERMISSION_DENIED naming the path', async (ctx) => {
    const mnt = mountTmpfs('readonly', '4m');
    if (mnt === undefined) return ctx.skip();
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    for (const dir of [mnt, path.join(mnt, 'sub', 'cache')]) {
      const err = await open(dir, server).catch((e: unknown) => e);
      expect(isBarcacheError(err, ErrorCode.PERMISSION_DENIED), `got ${String(err)}`).toBe(true);
      expect((err as { details: { path: string } }).details.path).toBe(dir);
      expect((err as Error).message).toContain(dir);
    }
  });

  it('--dir naming a file: PERMISSION_DENIED naming the path, not a raw EEXIST', async () => {
    const file = path.join(tmp.path, 'a-file');
    await writeFile(file, 'x');
    const err = await openCache({ dir: file, provider: undefined, statsSnapshots: false }).catch((e: unknown) => e);
    expect(isBarcacheError(err, ErrorCode.PERMISSION_DENIED), `got ${String(err)}`).toBe(true);
    expect((err as { details: { path: string } }).details.path).toBe(file);
    expect((err as Error).message).toContain('not a directory');
    const errOut: string[] = [];
    const code = await runCli(
      ['ls', '--dir', file],
      {
        stdout: { write: () => true },
        stderr: { write: (s: string) => errOut.push(s) },
        stdinIsTTY: false,
        env: {},
        now: Date.now,
        confirm: async () => false,
      },
      { openCache, defaultCacheDir: () => file, snapshots: { read: async () => ({ entries: [], live: {} as never }), readRuns: async () => ({ runs: [], totals: {} as never }) },
  cacheExists: () => true },
    );
    expect(code).toBe(1);
    expect(errOut.join('')).toMatch(/PERMISSION_DENIED: .*a-file/);
    expect(errOut.join('')).not.toContain('EEXIST');
  });
});
