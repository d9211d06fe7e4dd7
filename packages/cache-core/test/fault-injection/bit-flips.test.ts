/**
 * Fault injection on real LevelDB files: random bytes flipped in the write-ahead `.log` and in the
 * `.ldb` table files (a seeded random; BARCACHE_FAULT_SEED to vary it), then the cache reopened
 * through openCache, offline and online. Every answer must equal the true bars or be a coded
 * error: never fewer bars than exist without an error.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, mulberry32, startYahooChartServer, type TempDir, type YahooChartServer } from '@barcache/test-support';
import { buildBase, checkDir, copyDb, emptyTally, type Tally } from './damage-check.js';

const SEED = Number(process.env['BARCACHE_FAULT_SEED'] ?? 20261204);
const CASES = { log: 40, table: 28 };

let server: YahooChartServer;
let tmp: TempDir;
let base: string;
beforeAll(async () => {
  server = await startYahooChartServer();
  tmp = makeTempDir('barcache-flips-');
  base = path.join(tmp.path, 'base');
  await buildBase(base, server);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await tmp?.cleanup();
});

async function flipCases(kind: 'log' | 'table', cases: number): Promise<{ tally: Tally; flips: number }> {
  const random = mulberry32(SEED + (kind === 'log' ? 1 : 2));
  const files = (await readdir(path.join(base, 'db'))).filter((f) => (kind === 'log' ? f.endsWith('.log') : f.endsWith('.ldb')));
  expect(files.length, `the base cache has ${kind} files`).toBeGreaterThan(0);
  const tally = emptyTally();
  let flips = 0;
  for (let i = 0; i < cases; i++) {
    const dir = path.join(tmp.path, `${kind}-${i}`);
    await copyDb(base, dir);
    const file = path.join(dir, 'db', files[Math.floor(random() * files.length)]!);
    const bytes = await readFile(file);
    expect(bytes.length).toBeGreaterThan(1000);
    const n = 1 + Math.floor(random() * 3);
    const at: number[] = [];
    for (let k = 0; k < n; k++) {
      const pos = Math.floor(random() * bytes.length);
      bytes[pos] = bytes[pos]! ^ (1 + Math.floor(random() * 255));
      at.push(pos);
    }
    flips += n;
    await writeFile(file, bytes);
    await checkDir(dir, server, tally, `${kind} case ${i} (${path.basename(file)} @ ${at.join(',')})`);
  }
  return { tally, flips };
}

describe(`fault injection: flipped bytes (seed ${SEED})`, () => {
  for (const kind of ['log', 'table'] as const) {
    it(`${CASES[kind]} cases of flipped bytes in the ${kind === 'log' ? 'write-ahead .log' : '.ldb table files'}: every answer true or coded`, async () => {
      const { tally, flips } = await flipCases(kind, CASES[kind]);
      console.log(
        `fault injection (${kind}, seed ${SEED}): ${CASES[kind]} cases, ${flips} flipped bytes; answers: ${tally.equal} true, ` +
          `${tally.coded} coded errors ${JSON.stringify(tally.codes)}, ${tally.short.length} silently short, ${tally.wrong.length} wrong/uncoded`,
      );
      expect(tally.short).toEqual([]);
      expect(tally.wrong).toEqual([]);
    }, 120_000);
  }
});
