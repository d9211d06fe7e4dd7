/**
 * Databases that will not open (or whose tables cannot be read): a coded STORE_CORRUPT naming the
 * dir, and a way out that never deletes silently: openCache({ repair: true }) and `barcache repair`
 * (LevelDB's repair, else the db moved aside to a dated folder and a fresh one started).
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startYahooChartServer, type TempDir, type YahooChartServer } from '@barcache/test-support';
import { ErrorCode, isBarcacheError, type RepairReport } from '@barcache/cache-core';
import { runCli } from '../../src/cli/program.js';
import type { CliDeps, CliIo } from '../../src/cli/context.js';
import { openCache } from '../../src/open-cache.js';
import { buildBase, checkAnswers, checkDir, copyDb, emptyTally, open } from './damage-check.js';

let server: YahooChartServer;
let tmp: TempDir;
let base: string;
beforeAll(async () => {
  server = await startYahooChartServer();
  tmp = makeTempDir('barcache-unopenable-');
  base = path.join(tmp.path, 'base');
  await buildBase(base, server);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await tmp?.cleanup();
});

const dbFile = async (dir: string, re: RegExp) => {
  const f = (await readdir(path.join(dir, 'db'))).find((n) => re.test(n));
  if (f === undefined) throw new Error(`no ${re} in ${dir}/db`);
  return path.join(dir, 'db', f);
};

const DAMAGE: Record<string, (dir: string) => Promise<void>> = {
  'garbage CURRENT': async (dir) => writeFile(path.join(dir, 'db', 'CURRENT'), 'MANIFEST-\x07\x07garbage\n'),
  'garbage MANIFEST': async (dir) => writeFile(await dbFile(dir, /^MANIFEST-/), Buffer.alloc(300, 0x5a)),
  'deleted CURRENT': async (dir) => unlink(path.join(dir, 'db', 'CURRENT')),
  'a table file deleted': async (dir) => unlink(await dbFile(dir, /\.ldb$/)),
  'a table file zeroed': async (dir) => {
    const f = await dbFile(dir, /\.ldb$/);
    const size = (await stat(f)).size;
    await writeFile(f, Buffer.alloc(size));
  },
  'a table file truncated': async (dir) => truncate(await dbFile(dir, /\.ldb$/), 100),
  '<dir>/db replaced by a file (repair cannot help)': async (dir) => {
    await rm(path.join(dir, 'db'), { recursive: true });
    await writeFile(path.join(dir, 'db'), 'not a database');
  },
};

describe('fault injection: databases that will not open', () => {
  let n = 0;
  for (const [name, damage] of Object.entries(DAMAGE)) {
    it(`${name}: coded STORE_CORRUPT naming the dir, then repair: true brings back every bar`, async () => {
      const dir = path.join(tmp.path, `case-${n++}`);
      await copyDb(base, dir);
      await damage(dir);
      const before = readdirSync(dir);

      const tally = emptyTally();
      const openErrors = await checkDir(dir, server, tally, name);
      expect(tally.short).toEqual([]);
      expect(tally.wrong).toEqual([]);
      expect(tally.coded, 'the damage is reported').toBeGreaterThan(0);
      const err = await open(dir, server).catch((e: unknown) => e);
      if (openErrors.length > 0) {
        expect(openErrors.every((c) => c === ErrorCode.STORE_CORRUPT)).toBe(true);
        expect(isBarcacheError(err, ErrorCode.STORE_CORRUPT)).toBe(true);
        expect((err as { details: { dir: string } }).details.dir).toBe(dir);
        expect((err as Error).message).toContain(dir);
        expect((err as Error).message).toContain('barcache repair');
      } else if (!isBarcacheError(err)) {
        await (err as { close(): Promise<void> }).close();
      }
      // Nothing was deleted by failing to open.
      for (const f of before) expect(existsSync(path.join(dir, f))).toBe(true);

      const reports: RepairReport[] = [];
      const cache = await open(dir, server, { repair: true, onRepair: (r) => reports.push(r) });
      const after = emptyTally();
      await checkAnswers(cache, after, `${name} repaired`);
      await cache.close();
      expect(after.short).toEqual([]);
      expect(after.wrong).toEqual([]);
      expect(after.equal).toBe(6);
      expect(reports).toHaveLength(1);
      expect(['repaired', 'moved-aside']).toContain(reports[0]!.action);
      if (reports[0]!.action === 'moved-aside') {
        // Never deleted: the old database sits in a dated folder inside the cache dir.
        expect(path.dirname(reports[0]!.movedTo!)).toBe(dir);
        expect(path.basename(reports[0]!.movedTo!)).toMatch(/^db-damaged-\d{4}-\d\d-\d\dT/);
        expect(existsSync(reports[0]!.movedTo!)).toBe(true);
      }
      // Healthy now: a second repair has nothing to do.
      const again: RepairReport[] = [];
      await (await open(dir, server, { repair: true, onRepair: (r) => again.push(r) })).close();
      expect(again[0]!.action).toBe('healthy');
    }, 60_000);
  }
});

function cliIo(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      stdinIsTTY: false,
      env: {},
      now: () => Date.parse('2026-12-04T08:00:00Z'),
      confirm: async () => false,
    },
  };
}

const cliDeps = (): CliDeps => ({
  openCache,
  defaultCacheDir: () => path.join(tmp.path, 'unused-default'),
  snapshots: { read: async () => ({ entries: [], live: {} as never }), readRuns: async () => ({ runs: [], totals: {} as never }) },
  cacheExists: () => true,
});

describe('barcache repair', () => {
  it('says what it did and where the old database went', async () => {
    const dir = path.join(tmp.path, 'cli-moved');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'db'), 'not a database');
    const { io, out } = cliIo();
    const code = await runCli(['repair', '--dir', dir], io, cliDeps());
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toContain('was damaged');
    expect(text).toContain(path.join(dir, 'db-damaged-2026-12-04T08-00-00-000Z'));
    expect(existsSync(path.join(dir, 'db-damaged-2026-12-04T08-00-00-000Z'))).toBe(true);
    expect(text).toContain('fresh');
  });

  it('repairs with LevelDB and reports a healthy database as such', async () => {
    const dir = path.join(tmp.path, 'cli-repaired');
    await copyDb(base, dir);
    await writeFile(path.join(dir, 'db', 'CURRENT'), 'garbage\n');
    const { io, out, err } = cliIo();
    const failed = await runCli(['ls', '--dir', dir], io, cliDeps());
    expect(failed).toBe(1);
    expect(err.join('')).toContain('STORE_CORRUPT');
    expect(err.join('')).toContain(dir);
    expect(await runCli(['repair', '--dir', dir, '--json'], io, cliDeps())).toBe(0);
    const report = JSON.parse(out.join('')) as RepairReport;
    expect(report.action).toBe('repaired');
    expect(report.keys).toBeGreaterThan(6);
    out.length = 0;
    expect(await runCli(['repair', '--dir', dir], io, cliDeps())).toBe(0);
    expect(out.join('')).toContain('healthy');
    expect(await runCli(['ls', '--dir', dir], io, cliDeps())).toBe(0);
  });
});
