// A warm prefetch of ≥ 8 MiB of columns decodes into memory it prepared: with huge pages where the
// machine has them (a few large buffers advised for 2 MiB pages), else buffers a worker thread
// pre-faults. Either way every series' columns come from it (the load's sizes were predicted right
// from the metas), the values are the same as without it, and the process ends by itself. A
// follower (its reads served by the leader's process) prepares only with huge pages, never with a
// worker.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { hugePages } from '../src/tiers/memory/huge-pages.js';

const script = fileURLToPath(new URL('./processes/prefaulted-load.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');

const machine = hugePages();

it.each([
  ['huge pages where the machine has them', undefined],
  ["a worker's touches (huge pages off)", 'off'],
])('a large warm load lands in prepared buffers (%s), with the same values, and the process exits', (_way, setting) => {
  const tmp = mkdtempSync(join(tmpdir(), 'barcache-prefault-'));
  try {
    // 72 symbols × 10 years ≈ 186k bars: 10 MiB with an adjusted close, 8.5 MiB without (48 B/bar):
    // both above the 8 MiB threshold.
    const env = { ...process.env, BARCACHE_HUGE_PAGES: setting ?? '' };
    const run = spawnSync(process.execPath, ['--import', tsx, script, tmp, '72'], { encoding: 'utf8', timeout: 90_000, env });
    expect(run.error, 'the process did not end by itself').toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      hugePages: string | null;
      hugeBytesGained: number;
      symbols: number;
      on: { shared: number; sum: number; count: number; failed: number };
      off: { shared: number; sum: number; count: number; failed: number };
      follower: { shared: number; sum: number; count: number; failed: number };
      offBeside: { shared: number; sum: number; count: number; failed: number };
      alongsideOn: { shared: number; sum: number; count: number; failed: number };
      noAdjClose: { shared: number; sum: number; count: number; failed: number };
      providerCallsWarm: number;
    };
    expect(r.hugePages).toBe(setting === 'off' ? null : (machine?.mode ?? null));
    // Where the kernel takes madvise (or gives huge pages always), the load's 10 MiB of columns
    // got some: this is the kernel's own count for the process, not ours.
    if (r.hugePages !== null) expect(r.hugeBytesGained).toBeGreaterThanOrEqual(2 * 2 ** 20);
    expect(r.providerCallsWarm).toBe(0);
    expect(r.on.failed).toBe(0);
    expect(r.on.shared).toBe(r.symbols);
    expect(r.off.shared).toBe(0);
    expect(r.on.count).toBeGreaterThan(64 * 2400 * 7);
    expect(r.on.count).toBe(r.off.count);
    expect(r.on.sum).toBe(r.off.sum);
    // A follower's reads are served by its leader, busy on the other core: no worker touches its
    // pages, but it takes huge pages where the machine has them.
    expect(r.follower.failed).toBe(0);
    expect(r.follower.shared).toBe(r.hugePages === null ? 0 : r.symbols);
    expect(r.follower.sum).toBe(r.on.sum);
    // A cache opened with prefault off never gets another cache's reserved buffers, even while
    // that cache loads at the same time in the same process.
    expect(r.offBeside.failed).toBe(0);
    expect(r.offBeside.shared).toBe(0);
    expect(r.alongsideOn.shared).toBe(r.symbols);
    expect(r.offBeside.sum).toBe(r.on.sum);
    // Daily bars without an adjusted close: the blocks' index says six columns, and the load's
    // buffers are still predicted exactly.
    expect(r.noAdjClose.failed).toBe(0);
    expect(r.noAdjClose.shared).toBe(r.symbols);
    expect(r.noAdjClose.count).toBe((r.on.count / 7) * 6);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}, 120_000);
