/**
 * Crash test: a child process warming a cache (the real YahooProvider against the loopback
 * server) is killed with SIGKILL at many points: random delays once it has committed, each child
 * going on from what the previous one left in its dir. After each kill, every range the ledger
 * claims must read back, offline, with exactly its true bars.
 *
 * The child is bundled once with esbuild (as tsx does per start, but once), so that starting it
 * costs a plain `node` start; three dirs are crash-tested side by side.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, mulberry32, startYahooChartServer, syntheticDailyBars, type TempDir, type YahooChartServer } from '@barcache/test-support';
import { open } from './damage-check.js';

const LANES = 3;
const KILLS_PER_LANE = 7;
const SEED = Number(process.env['BARCACHE_FAULT_SEED'] ?? 20261204);
const here = path.dirname(fileURLToPath(import.meta.url));
// Inside cache-core's node_modules, so that the bundle's imports (level, yahoo-finance2) resolve.
const bundle = path.join(here, '..', '..', 'node_modules', '.cache', `barcache-crash-child-${process.pid}.mjs`);

let server: YahooChartServer;
let tmp: TempDir;
beforeAll(async () => {
  server = await startYahooChartServer();
  tmp = makeTempDir('barcache-crash-');
  const require = createRequire(import.meta.url);
  // esbuild comes with tsx (the tests' TypeScript loader); only its `build` is used.
  type Build = (options: Record<string, unknown>) => Promise<unknown>;
  const esbuild = (await import(createRequire(require.resolve('tsx')).resolve('esbuild'))) as { build: Build };
  mkdirSync(path.dirname(bundle), { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(here, '..', 'processes', 'warm-randomly.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: bundle,
    logLevel: 'error',
  });
}, 60_000);
afterAll(async () => {
  rmSync(bundle, { force: true });
  await server?.close();
  await tmp?.cleanup();
});

/** Starts the child; resolves when it has committed its first series; returns a kill that waits for the exit. */
async function startWarming(dir: string, seed: number): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, [bundle, dir, server.url, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    void exited.then(() => reject(new Error(`the warming child exited before it was ready: ${stderr}`)));
  });
  return async () => {
    child.kill('SIGKILL');
    await exited;
  };
}

interface LaneResult {
  delays: number[];
  claims: number;
  bars: number;
}

async function lane(index: number): Promise<LaneResult> {
  const dir = path.join(tmp.path, `lane-${index}`);
  const random = mulberry32(SEED + index);
  const result: LaneResult = { delays: [], claims: 0, bars: 0 };
  for (let k = 0; k < KILLS_PER_LANE; k++) {
    const kill = await startWarming(dir, SEED + index * 100 + k);
    const delay = k === 0 ? 0 : Math.floor(random() * 600);
    result.delays.push(delay);
    await new Promise((r) => setTimeout(r, delay));
    await kill();

    const cache = await open(dir, server, { offline: true });
    try {
      for (const s of await cache.listSeries()) {
        for (const range of s.covered) {
          const truth = syntheticDailyBars({ symbol: s.symbol, start: range.start, end: range.end });
          const bars = await cache.getBars({ symbol: s.symbol, interval: '1d', start: range.start, end: range.end - 1 });
          expect(bars, `lane ${index} kill ${k} (after ${delay} ms): ${s.symbol} from ${new Date(range.start).toISOString()}`).toEqual(truth);
          result.claims++;
          result.bars += bars.length;
        }
      }
    } finally {
      await cache.close();
    }
  }
  return result;
}

describe('fault injection: a warming process killed at many points', () => {
  it(`${LANES * KILLS_PER_LANE} SIGKILLs: no ledger claim lacks its bars`, async () => {
    const results = await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
    const kills = results.reduce((n, r) => n + r.delays.length, 0);
    const claims = results.reduce((n, r) => n + r.claims, 0);
    const bars = results.reduce((n, r) => n + r.bars, 0);
    console.log(
      `crash test (seed ${SEED}): ${kills} kills at ${new Set(results.flatMap((r) => r.delays)).size} different delays; ` +
        `${claims} ledger claims checked, ${bars} bars read back whole offline`,
    );
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(claims).toBeGreaterThanOrEqual(kills);
  }, 180_000);
});
