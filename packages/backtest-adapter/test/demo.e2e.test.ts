/**
 * `pnpm demo` without a network: the real demo entry (cold and warm runs in child processes) on
 * the sample CSV files through FileProvider. No loopback Yahoo server, no network: the output says
 * the data is local and synthetic, and the table shows 4 provider calls cold, 0 warm, same trades.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEMO_DATA_SYMBOLS, demoCsv } from '../scripts/demo-data.js';

const MAIN = fileURLToPath(new URL('../src/demo/main.ts', import.meta.url));

describe('the demo on the file provider', () => {
  it('runs cold then warm on LOCAL SYNTHETIC CSV files, says so, and makes 4 then 0 provider calls', { timeout: 180_000 }, async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, BARCACHE_DEMO_OFFLINE: '1', NO_COLOR: '1' };
    delete env['BARCACHE_DIR'];
    // Any Yahoo request would go nowhere: the demo must not need one.
    env['BARCACHE_YAHOO_BASE_URL'] = 'http://127.0.0.1:9';
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', MAIN], { env, encoding: 'utf8', timeout: 170_000 });
    expect(stdout).toMatch(/^Yahoo Finance is unreachable \(no network\): this demo runs on LOCAL SYNTHETIC data, not market data: the sample CSV files in .*demo-data, served by FileProvider/);
    expect(stdout).toContain('SYNTHETIC DATA (local CSV files, FileProvider)');
    expect(stdout).not.toMatch(/loopback/);
    expect(stdout).toMatch(/│ provider calls\s+│ 4, every run \(1 per series\)\s+│ 4\s+│ 0\s+│/);
    expect(stdout).toMatch(/│ trades identical to cold run\s+│ –\s+│ –\s+│ yes\s+│/);
    expect(stdout).toMatch(/│ prefetch, one planned pass\s+│ –\s+│ 4 ← provider \(4 calls\)\s+│ 4 ← L2 disk \(0 calls\)\s+│/);
  });

  it('ships exactly the generated, labelled sample files', () => {
    for (const symbol of DEMO_DATA_SYMBOLS) {
      expect(readFileSync(new URL(`../demo-data/${symbol}.csv`, import.meta.url), 'utf8'), symbol).toBe(demoCsv(symbol));
    }
    expect(readFileSync(new URL('../demo-data/README.md', import.meta.url), 'utf8')).toMatch(/SYNTHETIC, not market data/);
  });
});
