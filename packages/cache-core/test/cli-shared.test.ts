/**
 * The CLI and the team cache (Redis) end to end: real `barcache` child processes, a real
 * redis-server, the real yahoo-finance2 client against the loopback chart server (which counts
 * provider calls). `--shared <url>` (else BARCACHE_SHARED_URL) turns the tier on, `--no-shared`
 * off; a warm publishes to Redis and a second process with an empty dir reads from it with no
 * provider call; Redis down → the command still succeeds and says so in one plain stderr line.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasRedisServer, makeTempDir, startRedisServer, startYahooChartServer, type RedisServer, type TempDir, type YahooChartServer } from '@barcache/test-support';

const available = hasRedisServer();
const PKG = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = join(PKG, 'src', 'cli', 'main.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe.skipIf(!available)('barcache CLI with the team cache (real redis-server)', () => {
  let redis: RedisServer;
  let server: YahooChartServer;
  const temps: TempDir[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
    server = await startYahooChartServer();
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await redis?.stop();
    for (const t of temps) await t.cleanup();
  });

  const emptyDir = () => {
    const t = makeTempDir('barcache-cli-shared-');
    temps.push(t);
    return t.path;
  };

  function cli(dir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
    const env: NodeJS.ProcessEnv = { ...process.env, BARCACHE_DIR: dir, BARCACHE_YAHOO_BASE_URL: server.url, NO_COLOR: '1', ...extraEnv };
    delete env['FORCE_COLOR'];
    delete env['BARCACHE_OFFLINE'];
    if (!('BARCACHE_SHARED_URL' in extraEnv)) delete env['BARCACHE_SHARED_URL'];
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], { cwd: PKG, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  it('--help lists --shared <url> and --no-shared, with the environment variable', async () => {
    const r = await cli(emptyDir(), ['warm', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--shared <url>\s+team cache: a Redis between the local disk/);
    expect(r.stdout).toMatch(/--no-shared\s+no team cache, even when BARCACHE_SHARED_URL is set/);
    expect(r.stdout).toContain('$BARCACHE_SHARED_URL');
  }, 60_000);

  it('a warm publishes to Redis; a second process with an empty dir reads it with 0 provider calls; ls and stats show the tier', async () => {
    const before = server.chartRequests('AAPL').length;
    const first = await cli(emptyDir(), ['warm', 'AAPL', '--from', '2023-01-03', '--to', '2023-12-29', '--shared', redis.url]);
    expect(first.code, first.stderr).toBe(0);
    expect(server.chartRequests('AAPL').length - before).toBe(1);
    expect(redis.cli('--scan', '--pattern', 'barcache:{yahoo|AAPL|1d}:*').split('\n').filter(Boolean).length).toBeGreaterThan(1);

    // A second machine: an empty dir, the URL from the environment (the fallback).
    const dir = emptyDir();
    const second = await cli(dir, ['warm', 'AAPL', '--from', '2023-01-03', '--to', '2023-12-29'], { BARCACHE_SHARED_URL: redis.url });
    expect(second.code, second.stderr).toBe(0);
    expect(server.chartRequests('AAPL').length - before, 'provider calls in all').toBe(1);
    expect(second.stderr).toBe('');
    expect(second.stdout).toMatch(/│ AAPL\s+│\s+250 │ [^│]+│ shared\s+│\s+0 │ ok/);

    const ls = await cli(dir, ['ls'], { BARCACHE_SHARED_URL: redis.url });
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/AAPL/);
    expect(ls.stdout).toContain(`team cache: redis://127.0.0.1:${redis.port}, answering`);

    const stats = await cli(dir, ['stats'], { BARCACHE_SHARED_URL: redis.url });
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toContain(`team cache: redis://127.0.0.1:${redis.port}, answering`);
    // The warm's run record: its hits came from Redis.
    expect(stats.stdout).toMatch(/team \(Redis\) hits \/ misses\s+│?\s*[–\d]/);
    expect(stats.stdout).toMatch(/team \(Redis\) hits \/ misses.*\b1 \/ 0\b/);

    // --no-shared: the same empty-dir warm goes to the provider.
    const off = await cli(emptyDir(), ['warm', 'AAPL', '--from', '2023-01-03', '--to', '2023-12-29', '--no-shared'], { BARCACHE_SHARED_URL: redis.url });
    expect(off.code, off.stderr).toBe(0);
    expect(server.chartRequests('AAPL').length - before).toBe(2);
  }, 120_000);

  it('Redis down: exit 0 with the bars, and one plain line on stderr (no credentials, no process warning)', async () => {
    const port = await freePort();
    const url = `redis://quantteam:Hunter2-Secret@127.0.0.1:${port}`;
    const dir = emptyDir();
    const r = await cli(dir, ['warm', 'MSFT', 'NVDA', 'KO', '--from', '2023-01-03', '--to', '2023-12-29', '--shared', url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/MSFT/);
    expect(r.stdout).toMatch(/3\/3 symbols ready \(1d\), 750 bars, 3 provider calls/);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toEqual([`barcache: team cache: Redis at redis://127.0.0.1:${port} does not answer; carrying on with the local cache and the provider`]);
    expect(r.stderr + r.stdout).not.toContain('Hunter2-Secret');
    expect(r.stderr + r.stdout).not.toContain('quantteam');

    // ls says the state on stdout (once), not again on stderr.
    const ls = await cli(dir, ['ls', '--shared', url]);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toContain(`team cache: redis://127.0.0.1:${port} does not answer: this command used the local cache and the provider only`);
    expect(ls.stderr).toBe('');
  }, 120_000);
});
