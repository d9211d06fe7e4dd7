/**
 * The root README's terminal commands, verbatim: every `npx pnpm@10 barcache …` line of its ```sh
 * blocks runs from the repo root, as a new user would type it, on a fresh temp cache dir (the real
 * CLI through the root `barcache` script; Yahoo is a loopback server, since there is no network).
 * A README command that stops working fails here.
 */
import { exec } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { makeTempDir, startYahooChartServer } from '@barcache/test-support';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** The `npx pnpm@10 barcache …` lines of the README's sh blocks, in order. */
export function readmeCliCommands(markdown: string): string[] {
  const out: string[] = [];
  let inSh = false;
  for (const line of markdown.split('\n')) {
    if (/^```sh\s*$/.test(line)) inSh = true;
    else if (/^```/.test(line)) inSh = false;
    else if (inSh && line.startsWith('npx pnpm@10 barcache ')) out.push(line.replace(/\s+#.*$/, '').trim());
  }
  return out;
}

describe("the README's CLI commands, verbatim, from the repo root", () => {
  const commands = readmeCliCommands(readFileSync(join(REPO, 'README.md'), 'utf8'));

  it('the README shows the CLI the way it runs from a clone (never `npx barcache`)', () => {
    expect(commands.length).toBeGreaterThanOrEqual(5);
    expect(readFileSync(join(REPO, 'README.md'), 'utf8')).not.toMatch(/^\s*npx barcache\b/m);
  });

  it('each runs and exits 0 on a fresh cache dir, in order', { timeout: 400_000 }, async () => {
    const server = await startYahooChartServer();
    const dir = makeTempDir('barcache-readme-');
    try {
      const env = { ...process.env, BARCACHE_DIR: dir.path, BARCACHE_YAHOO_BASE_URL: server.url, NO_COLOR: '1' };
      // Paths in the commands are relative to the repo root; `~/…` examples are left out (the
      // user's own files), every other command runs.
      for (const command of commands.filter((c) => !/\s~\//.test(c) && !/broker\.csv/.test(c))) {
        const run = await promisify(exec)(command, { cwd: REPO, env, timeout: 120_000 }).then(
          (r) => ({ code: 0, ...r }),
          (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
        );
        expect(run.code, `${command}\n${run.stdout}\n${run.stderr}`).toBe(0);
        if (command.includes(' stats')) expect(run.stdout).toMatch(/recent runs/);
        if (command.includes(' ls')) expect(run.stdout).toMatch(/synthetic-demo/);
      }
      expect(server.chartRequests('AAPL', '1d').length).toBeGreaterThan(0);
    } finally {
      await server.close();
      await dir.cleanup();
    }
  });
});
