// import('@barcache/cache-core') must load only what openCache({ provider }) needs: the Yahoo
// client, schema validation, LevelDB, the memory tier's lru-cache, csv-parse and the Redis client
// load on first use. Checked in a fresh process whose module loads are recorded (resolve hooks for
// ESM, require's cache for CommonJS): an eager import added back anywhere fails here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('./processes/what-loads.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');

it('importing the package loads no heavy dependency; each loads on first use', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'barcache-lazy-'));
  try {
    const run = spawnSync(process.execPath, ['--import', tsx, script, join(tmp, 'modules.txt'), tmp], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      atImport: string[];
      afterImport: string[];
      afterYahoo: string[];
      afterStats: string[];
      afterParse: string[];
    };
    // Importing the package loads none of the heavy dependencies.
    for (const heavy of ['yahoo-finance2', 'zod', 'ioredis', 'level', 'classic-level', 'abstract-level', 'lru-cache', 'csv-parse']) {
      expect(report.atImport, heavy).not.toContain(heavy);
    }
    // The recorder sees packages at all (a cache opened: level, lru-cache).
    expect(report.afterImport).toContain('level');
    expect(report.afterImport).toContain('classic-level');
    expect(report.afterImport).toContain('lru-cache');
    expect(report.afterImport).not.toContain('ioredis');
    expect(report.afterImport).not.toContain('csv-parse');
    expect(report.afterImport).not.toContain('yahoo-finance2');
    expect(report.afterImport).not.toContain('zod');
    // First use loads them.
    expect(report.afterYahoo).toContain('yahoo-finance2');
    expect(report.afterStats).toContain('zod');
    expect(report.afterParse).toContain('csv-parse');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
