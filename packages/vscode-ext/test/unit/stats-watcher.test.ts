import fs from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, type TempDir } from '@barcache/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { type SnapshotReader, type StatsSnapshot, StatsWatcher } from '../../src/stats-watcher.js';
import { snapshot, stats } from './fixtures.js';

/** A reader like cache-core's: every <pid>.json under <dir>/stats that is recent. */
const reader: SnapshotReader = async (dir, { now, staleMs }) => {
  const files = await fs.readdir(path.join(dir, 'stats'));
  const out: StatsSnapshot[] = [];
  for (const f of files.filter((f) => f.endsWith('.json'))) {
    const s = JSON.parse(await fs.readFile(path.join(dir, 'stats', f), 'utf8')) as StatsSnapshot;
    if (now - s.updatedAt <= staleMs) out.push(s);
  }
  return out;
};

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function writeAtomic(file: string, data: unknown): Promise<void> {
  await fs.writeFile(`${file}.tmp`, JSON.stringify(data));
  await fs.rename(`${file}.tmp`, file);
}

const dirs: TempDir[] = [];
const watchers: StatsWatcher[] = [];
afterEach(async () => {
  for (const w of watchers.splice(0)) w.stop();
  for (const d of dirs.splice(0)) await d.cleanup();
});

async function tmp(): Promise<string> {
  const d = makeTempDir('barcache-ext-');
  dirs.push(d);
  return d.path;
}

describe('StatsWatcher', () => {
  it('sees snapshots appear, change and go away through file events (poll far away)', async () => {
    const dir = await tmp();
    let last: StatsSnapshot[] = [];
    const w = new StatsWatcher({ dir, staleMs: 60_000, pollMs: 60_000, read: reader, debounceMs: 20, onSnapshots: (s) => (last = s) });
    watchers.push(w);
    w.start();
    await until(() => w.reads >= 1);
    expect(last).toEqual([]);
    // The stats folder does not exist yet: the watcher watches the dir and picks it up.
    await fs.mkdir(path.join(dir, 'stats'));
    await writeAtomic(path.join(dir, 'stats', '101.json'), snapshot(101, 'backtest', stats({ l1Hits: 5 }), { updatedAt: Date.now() }));
    await until(() => last.length === 1);
    await writeAtomic(path.join(dir, 'stats', '101.json'), snapshot(101, 'backtest', stats({ l1Hits: 9 }), { updatedAt: Date.now() }));
    await until(() => last[0]?.stats.l1.hits === 9);
    await fs.rm(path.join(dir, 'stats', '101.json'));
    await until(() => last.length === 0);
  });

  it('falls back to polling, and drops stale snapshots', async () => {
    const dir = await tmp();
    await fs.mkdir(path.join(dir, 'stats'), { recursive: true });
    let last: StatsSnapshot[] = [];
    let now = 10_000;
    const w = new StatsWatcher({ dir, staleMs: 5_000, pollMs: 30, read: reader, now: () => now, debounceMs: 10_000, onSnapshots: (s) => (last = s) });
    watchers.push(w);
    await writeAtomic(path.join(dir, 'stats', '7.json'), snapshot(7, 'cli', stats({ l2Hits: 1 }), { updatedAt: 9_000 }));
    w.start();
    await until(() => last.length === 1);
    now = 20_000;
    await until(() => last.length === 0);
  });

  it('reports unreadable snapshots as an error but a missing dir as empty', async () => {
    const dir = await tmp();
    const seen: (string | undefined)[] = [];
    let fail = false;
    const w = new StatsWatcher({
      dir: path.join(dir, 'nope'),
      staleMs: 1000,
      pollMs: 60_000,
      read: async (d, o) => {
        if (fail) throw new Error('boom');
        return reader(d, o);
      },
      onSnapshots: (_s, e) => seen.push(e),
    });
    watchers.push(w);
    w.start();
    await until(() => w.reads >= 1);
    fail = true;
    await w.refresh();
    expect(seen).toEqual([undefined, 'boom']);
  });

  it('does not overlap reads and does not report after stop', async () => {
    const dir = await tmp();
    let active = 0;
    let maxActive = 0;
    let calls = 0;
    const w = new StatsWatcher({
      dir,
      staleMs: 1000,
      pollMs: 60_000,
      read: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
        return [];
      },
      onSnapshots: () => calls++,
    });
    watchers.push(w);
    w.start();
    await Promise.all([w.refresh(), w.refresh(), w.refresh()]);
    expect(maxActive).toBe(1);
    const before = calls;
    w.stop();
    await w.refresh();
    expect(calls).toBe(before);
  });
});
