/**
 * The `barcache` CLI end to end on one cache dir: warm, re-warm, ls, explain, clear; intraday warm;
 * --offline. Real child processes, LevelDB and the yahoo-finance2 client (see helpers/cli-world.ts).
 */
import { describe, expect, it } from 'vitest';
import { FROM, TO, expectNoLibraryNoise, json, setup, tableRow } from './helpers/cli-world.js';

describe('barcache warm / ls / explain / clear on one cache dir', () => {
  // Many CLI processes in a row: slow on a loaded machine, so a generous limit (not a timing check).
  it.concurrent('warms, re-warms for free, lists, explains, clears one symbol, refuses to clear all', { timeout: 120_000 }, async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();

    // Cold warm: exit 0, the table lists every symbol, one provider request per symbol.
    const warm = await w.cli(dir, ['warm', 'AAPL', 'msft', 'SPY', '--from', FROM, '--to', TO]);
    expect(warm.stderr).toBe('');
    expect(warm.code).toBe(0);
    expectNoLibraryNoise(warm);
    for (const s of ['AAPL', 'MSFT', 'SPY']) {
      const row = tableRow(warm.stdout, s);
      expect(row, `${s} row in\n${warm.stdout}`).toBeDefined();
      expect(row).toMatch(/│\s+2\d\d │/); // ~250 trading days
      expect(row).toMatch(/│ ok\s+│$/);
      expect(row).toMatch(/provider/);
      expect(w.server.chartRequests(s)).toHaveLength(1);
    }
    expect(warm.stdout).toMatch(/symbol\s*│\s*bars\s*│\s*range\s*│\s*source\s*│\s*provider calls\s*│\s*status/);
    expect(warm.stdout).toMatch(/3\/3 symbols ready \(1d\)/);

    // Warm again (a new process): nothing new asked of the provider.
    w.server.resetRequests();
    const again = await w.cli(dir, ['warm', 'AAPL', 'MSFT', 'SPY', '--from', FROM, '--to', TO, '--json']);
    expect(again.code).toBe(0);
    expect(w.server.chartRequests()).toHaveLength(0);
    const againReport = json(again);
    expect(againReport.ok).toBe(true);
    expect(againReport.providerCalls).toBe(0);
    expect(againReport.symbols.map((s: { source: string }) => s.source)).toEqual(['l2', 'l2', 'l2']);

    // ls --json: the three series with their covered ranges.
    const ls = await w.cli(dir, ['ls', '--json']);
    expect(ls.code).toBe(0);
    const series = json<any[]>(ls);
    expect(series.map((s) => s.symbol)).toEqual(['AAPL', 'MSFT', 'SPY']);
    for (const s of series) {
      expect(s.interval).toBe('1d');
      expect(s.bars).toBeGreaterThan(200);
      expect(s.bytes).toBeGreaterThan(0);
      expect(s.covered.length).toBeGreaterThan(0);
      // The covered ranges include the warmed range.
      const from = Date.parse(`${FROM}T00:00:00Z`);
      const to = Date.parse(`${TO}T00:00:00Z`);
      expect(s.covered.some((r: { start: number; end: number }) => r.start <= from && r.end > to)).toBe(true);
      expect(s.covered[0].startIso).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    }
    const lsText = await w.cli(dir, ['ls']);
    expect(lsText.code).toBe(0);
    expect(lsText.stdout).toMatch(/covered/);
    expect(lsText.stdout).toMatch(/3 series, [\d,]+ bars/);

    // explain on the warm range: all from l2 (a fresh process has nothing in memory), nothing missing.
    const warmExplain = await w.cli(dir, ['explain', 'AAPL', '2023-03-01', '2023-06-30']);
    expect(warmExplain.code).toBe(0);
    expect(warmExplain.stdout).toMatch(/l2 \(disk\)/);
    expect(warmExplain.stdout).not.toMatch(/provider \(missing\)/);
    expect(warmExplain.stdout).toContain('missing: none');
    expect(warmExplain.stdout).toContain('provider requests: none');
    const warmExplainJson = json(await w.cli(dir, ['explain', 'AAPL', '2023-03-01', '2023-06-30', '--json']));
    expect(warmExplainJson.missing).toEqual([]);
    expect(warmExplainJson.plannedRequests).toEqual([]);
    expect(new Set(warmExplainJson.parts.map((p: { tier: string }) => p.tier))).toEqual(new Set(['l2']));

    // explain on a cold range: the missing range and the request it would make, and it makes none.
    w.server.resetRequests();
    const cold = await w.cli(dir, ['explain', 'AAPL', '2021-03-01', '2021-03-31', '--json']);
    expect(cold.code).toBe(0);
    const coldReport = json(cold);
    expect(coldReport.missing.length).toBeGreaterThan(0);
    expect(coldReport.plannedRequests.length).toBeGreaterThan(0);
    const req = coldReport.plannedRequests[0];
    expect(req.start).toBeLessThanOrEqual(Date.parse('2021-03-01T00:00:00Z'));
    expect(req.end).toBeGreaterThan(Date.parse('2021-03-31T00:00:00Z'));
    const coldText = await w.cli(dir, ['explain', 'AAPL', '2021-03-01', '2021-03-31']);
    expect(coldText.stdout).toMatch(/provider \(missing\)/);
    expect(coldText.stdout).toMatch(/provider requests: \d+\n  \[\d{4}-\d\d-\d\dT/);
    expect(w.server.chartRequests()).toHaveLength(0);

    // clear without a filter and without --all: refused, nothing removed.
    const refuse = await w.cli(dir, ['clear']);
    expect(refuse.code).toBe(2);
    expect(refuse.stderr).toMatch(/^barcache: INVALID_ARGUMENT: refusing to clear the whole cache/);
    expect(json<any[]>(await w.cli(dir, ['ls', '--json']))).toHaveLength(3);

    // clear --symbol MSFT: only MSFT goes, and the output says so.
    const clear = await w.cli(dir, ['clear', '--symbol', 'msft']);
    expect(clear.code).toBe(0);
    expect(tableRow(clear.stdout, 'MSFT')).toMatch(/removed/);
    expect(clear.stdout).not.toMatch(/AAPL|SPY/);
    expect(clear.stdout).toMatch(/1 series removed/);
    const after = json<any[]>(await w.cli(dir, ['ls', '--json']));
    expect(after.map((s) => s.symbol)).toEqual(['AAPL', 'SPY']);

    // clear --all without --yes and without a terminal: refused; with --yes: everything goes.
    const noYes = await w.cli(dir, ['clear', '--all']);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/INVALID_ARGUMENT: clear --all needs --yes/);
    const all = await w.cli(dir, ['clear', '--all', '--yes', '--json']);
    expect(all.code).toBe(0);
    expect(json<any[]>(all).map((c) => `${c.symbol}:${c.action}`)).toEqual(['AAPL:removed', 'SPY:removed']);
    expect(json<any[]>(await w.cli(dir, ['ls', '--json']))).toEqual([]);
  });
});

describe('intraday warm', () => {
  it.concurrent('a date as --to includes that whole day of 15m bars', async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    const DAY = 86_400_000;
    // A week ending ten days ago: inside Yahoo's intraday history, clear of the forming bar.
    const toDay = Math.floor(Date.now() / DAY) * DAY - 10 * DAY;
    const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
    const run = await w.cli(dir, ['warm', 'AAPL', '-i', '15m', '--from', iso(toDay - 6 * DAY), '--to', iso(toDay), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = json(run);
    expect(report.interval).toBe('15m');
    expect(report.symbols[0].end).toBe(toDay + DAY - 1);
    expect(report.symbols[0].bars).toBeGreaterThanOrEqual(26 * 3); // at least three sessions of 26 bars
    expect(w.server.chartRequests('AAPL', '15m')).toHaveLength(1);
  });
});

describe('--offline', () => {
  it.concurrent('serves what is stored, fails a cold range with OFFLINE_MISS, and calls nobody', async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    const cold = await w.cli(dir, ['--offline', 'warm', 'AAPL', '--from', FROM, '--to', TO]);
    expect(cold.code).toBe(1);
    expect(cold.stderr).toMatch(/^ {2}AAPL: OFFLINE_MISS: /m);
    expect(w.server.chartRequests()).toHaveLength(0);

    expect((await w.cli(dir, ['warm', 'AAPL', '--from', FROM, '--to', TO])).code).toBe(0);
    w.server.resetRequests();
    const warm = await w.cli(dir, ['warm', 'AAPL', '--from', FROM, '--to', TO, '--offline']);
    expect(warm.code).toBe(0);
    const explain = await w.cli(dir, ['--offline', 'explain', 'AAPL', '2021-03-01', '2021-03-31']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/provider \(missing\)/);
    expect(explain.stdout).toMatch(/--offline: .*OFFLINE_MISS/);
    expect(w.server.chartRequests()).toHaveLength(0);
  });
});
