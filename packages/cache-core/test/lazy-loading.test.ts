// import('@barcache/cache-core') with a custom provider must not load yahoo-finance2 or zod: they
// load on first use. Checked in a fresh process whose module resolutions are recorded by hooks.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('./processes/what-loads.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');

it('yahoo-finance2 and zod load on first use, not on import', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'barcache-lazy-'));
  try {
    const run = spawnSync(process.execPath, ['--import', tsx, script, join(tmp, 'modules.txt'), tmp], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { afterImport: string[]; afterYahoo: string[]; afterStats: string[] };
    // The recorder sees packages at all (a cache opened: level, lru-cache).
    expect(report.afterImport).toContain('level');
    expect(report.afterImport).not.toContain('yahoo-finance2');
    expect(report.afterImport).not.toContain('zod');
    // First use loads them.
    expect(report.afterYahoo).toContain('yahoo-finance2');
    expect(report.afterStats).toContain('zod');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
