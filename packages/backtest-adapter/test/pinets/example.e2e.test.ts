/**
 * `pnpm example:pinets` keeps working: the example runs (from source, through tsx) on the local
 * synthetic data, cold then warm in a new process, and prints what it promises.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const MAIN = fileURLToPath(new URL('../../examples/pinets/main.ts', import.meta.url));

describe('examples/pinets', () => {
  it('runs the indicator on three symbols cold then warm: 5 provider calls, then 0, identical plots', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TSX_TSCONFIG_PATH: `${here}processes/tsconfig.json`, BARCACHE_EXAMPLE_SYNTHETIC: '1' };
    delete env.BARCACHE_DIR; // a temporary cache dir, so the first run is cold
    const child = spawn(process.execPath, ['--import', createRequire(import.meta.url).resolve('tsx'), MAIN], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, `${out}\n${err}`).toBe(0);
    expect(out).toContain('LOCAL SYNTHETIC data');
    expect(out).toContain('Provider calls: 5 cold (one per series), 0 warm. Plots identical cold and warm: yes.');
    for (const symbol of ['AAPL', 'MSFT', 'NVDA']) expect(out).toMatch(new RegExp(`${symbol} \\(50\\d bars\\)`));
    expect(out.match(/PineTS getMarketData calls 9, cache reads while the scripts ran 9, of which L1 hits 9/g)).toHaveLength(2);
  }, 180_000);
});
