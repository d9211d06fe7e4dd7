/**
 * The `barcache` CLI end to end alongside other processes: a backtest holding the cache dir (shared
 * or exclusive), and `barcache stats` remembering the runs of processes that have gone. Real child
 * processes, LevelDB and the yahoo-finance2 client (see helpers/cli-world.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FROM, TO, json, setup } from './helpers/cli-world.js';

describe('another process holding the cache dir', () => {
  // Many CLI processes in a row: slow on a loaded machine, so a generous limit (not a timing check).
  it.concurrent('a backtest holds the dir: warm, ls, explain and stats work alongside it (they follow it)', { timeout: 120_000 }, async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    expect((await w.cli(dir, ['warm', 'AAPL', '--from', FROM, '--to', TO])).code).toBe(0);

    const holder = await w.startHolder(dir);
    const leader = JSON.parse(readFileSync(join(dir, 'leader.json'), 'utf8'));
    expect(leader.pid).toBe(holder.pid);

    const warm = await w.cli(dir, ['warm', 'MSFT', '--from', FROM, '--to', TO, '--json']);
    expect(warm.stderr).toBe('');
    expect(warm.code).toBe(0);
    expect(json(warm).providerCalls).toBe(1);
    const ls = await w.cli(dir, ['ls', '--json']);
    expect(ls.code).toBe(0);
    expect(json<{ symbol: string }[]>(ls).map((s) => s.symbol)).toEqual(['AAPL', 'MSFT']);
    const explain = await w.cli(dir, ['explain', 'MSFT', '2023-03-01', '2023-06-30', '--json']);
    expect(explain.code).toBe(0);
    expect(json(explain).missing).toEqual([]);

    const stats = await w.cli(dir, ['stats', '--json']);
    expect(stats.code).toBe(0);
    const s = json(stats);
    expect(s.locked).toBeUndefined();
    expect(s.disk.series).toBe(2);
    expect(s.live.processes).toBe(1);
    expect(s.live.requests).toBeGreaterThanOrEqual(2);
    expect(s.processes.find((p: { pid: number }) => p.pid === holder.pid)).toMatchObject({ label: 'test holder', state: 'live' });
    // The holder still leads: nobody took the dir from it.
    expect(JSON.parse(readFileSync(join(dir, 'leader.json'), 'utf8')).pid).toBe(holder.pid);

    holder.child.kill('SIGTERM');
    await new Promise((r) => holder.child.once('close', r));
    expect((await w.cli(dir, ['ls'])).code).toBe(0);
  });

  it.concurrent('an exclusive holder: LOCKED exits 3 naming it; stats still reports, naming it, and counts its requests', async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    expect((await w.cli(dir, ['warm', 'AAPL', '--from', FROM, '--to', TO])).code).toBe(0);

    const holder = await w.startHolder(dir, { exclusive: true });
    const run = await w.cli(dir, ['ls', '--lock-timeout', '200']);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^barcache: LOCKED: /);
    expect(run.stderr).toMatch(new RegExp(`\\b${holder.pid}\\b`));
    expect(run.stderr.trim().split('\n')).toHaveLength(1);

    const warm = await w.cli(dir, ['warm', 'MSFT', '--from', FROM, '--to', TO, '--lock-timeout', '200']);
    expect(warm.code).toBe(3);

    const stats = await w.cli(dir, ['stats', '--json']);
    expect(stats.code).toBe(0);
    const s = json(stats);
    expect(s.locked.pid).toBe(holder.pid);
    // The disk figure comes from the holder's snapshot.
    expect(s.disk.series).toBe(1);
    expect(s.live.processes).toBe(1);
    expect(s.live.requests).toBeGreaterThanOrEqual(1);
    const mine = s.processes.find((p: { pid: number }) => p.pid === holder.pid);
    expect(mine).toMatchObject({ label: 'test holder', state: 'live' });

    const text = await w.cli(dir, ['stats']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`in use by pid ${holder.pid}`));
    expect(text.stdout).toMatch(/live now \(1\)/);
    expect(text.stdout).toMatch(new RegExp(`│\\s+${holder.pid} │ test holder`));

    holder.child.kill('SIGTERM');
    await new Promise((r) => holder.child.once('close', r));
    // Released: the next command opens the dir again.
    expect((await w.cli(dir, ['ls'])).code).toBe(0);
  }, 120_000);
});

describe('barcache stats', () => {
  // Many CLI processes in a row: slow on a loaded machine, so a generous limit (not a timing check).
  it.concurrent('remembers the runs of other processes: the warm\'s calls and errors, not the stats command\'s own zeros', { timeout: 120_000 }, async (ctx) => {
    const w = await setup(ctx);
    const dir = w.tempDir();
    // Read-only: no cache yet is NO_CACHE (exit 2), and nothing is created.
    const none = await w.cli(dir, ['stats', '--json']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/NO_CACHE: no cache at /);

    expect((await w.cli(dir, ['warm', 'AAPL', 'MSFT', 'SPY', '--from', FROM, '--to', TO])).code).toBe(0);
    const bad = await w.cli(dir, ['warm', 'NOSUCHSYMBOL', '--from', FROM, '--to', TO]);
    expect(bad.code).toBe(1);
    const run = await w.cli(dir, ['stats', '--json']);
    expect(run.code).toBe(0);
    const s = json(run);
    expect(s.dir).toBe(dir);
    expect(s.disk.series).toBe(3);
    expect(s.disk.bytes).toBeGreaterThan(0);
    // Both warms have exited: nothing is live, but both runs are remembered, newest first.
    expect(s.live.processes).toBe(0);
    expect(s.processes).toEqual([]);
    expect(s.runs.map((r: { label: string }) => r.label)).toEqual(['barcache warm', 'barcache warm']);
    expect(s.runs[0].stats.provider.errors).toBeGreaterThanOrEqual(1);
    expect(s.runs[1].stats.provider.calls).toBe(w.server.chartRequests('AAPL', '1d').length + w.server.chartRequests('MSFT', '1d').length + w.server.chartRequests('SPY', '1d').length);
    expect(s.history.totals.provider.calls).toBe(s.runs[0].stats.provider.calls + s.runs[1].stats.provider.calls);
    // One disk-size figure: stats and ls agree.
    const ls = await w.cli(dir, ['ls']);
    const lsBytes = /series, [\d,]+ bars, ([\d.]+ \w+) on disk/.exec(ls.stdout)?.[1];
    const text = await w.cli(dir, ['stats']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`on disk: 3 series, ${lsBytes}`);
    expect(text.stdout).toMatch(/hit rate/);
    expect(text.stdout).toMatch(/live now \(0\)/);
    expect(text.stdout).toMatch(/last 2 runs/);
    expect(text.stdout).toMatch(/│ barcache warm │/);

    // A process that read bars and closed its cache but still runs: listed with its counts,
    // not summed as live, and the dir is free for this one.
    const holder = await w.startHolder(dir, { closeAfterRead: true });
    const withHolder = json(await w.cli(dir, ['stats', '--json']));
    expect(withHolder.locked).toBeUndefined();
    expect(withHolder.disk.series).toBe(3);
    expect(withHolder.live.processes).toBe(0);
    const entry = withHolder.processes.find((p: { pid: number }) => p.pid === holder.pid);
    expect(entry).toMatchObject({ label: 'test holder', state: 'closed' });
    expect(entry.stats.requests).toBe(2);
    expect(entry.stats.l2.hits + entry.stats.l1.hits).toBe(2);
    expect(entry.stats.provider.calls).toBe(0);
    // …and its run is in the history too.
    expect(withHolder.runs[0]).toMatchObject({ label: 'test holder', pid: holder.pid });
    expect(withHolder.runs[0].stats.requests).toBe(2);
  });
});
