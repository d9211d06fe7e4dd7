import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { openCache } from '@barcache/cache-core';
import { hasRedisServer, makeTempDir, startRedisServer, type RedisServer } from '@barcache/test-support';
import type { BarcacheApi } from '../../../src/vscode/extension.js';
import { eventually, startBacktestProcess, stopProcess } from './helpers.js';

const EXTENSION_ID = 'barcache.barcache-vscode';

/** Sends `read <symbol>` to the backtest fixture and waits for its `READ <symbol> …` line. */
function readThrough(child: ChildProcess, symbol: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no READ ${symbol} answer: ${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += String(d);
      const m = new RegExp(`READ ${symbol} (.*)\\n`).exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(m[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stdin?.write(`read ${symbol}\n`);
  });
}

/**
 * The status bar shows the shared team tier of a backtest in another process that uses a real
 * redis-server: a team marker with its hits; Redis killed → the warning state (notified once);
 * Redis back → the warning clears.
 */
export function defineSharedTierTests(): void {
  describe('Barcache extension: the shared team tier (real redis-server)', function () {
    this.timeout(120_000);
    let api: BarcacheApi;
    let redis: RedisServer | undefined;

    before(async function () {
      if (!hasRedisServer()) {
        console.log('  shared tier: SKIPPED: redis-server is not installed (apt-get install redis-server)');
        this.skip();
      }
      api = await vscode.extensions.getExtension<BarcacheApi>(EXTENSION_ID)!.activate();
      redis = await startRedisServer();
    });

    after(async () => {
      await redis?.stop();
    });

    it('shows the team tier in the status bar, warns once while Redis is down, and clears when it is back', async () => {
      const url = redis!.url;
      // Another worker (its own empty dir) fetched DIA and published it to Redis.
      const seedDir = makeTempDir('barcache-it-seed-');
      try {
        const seed = await openCache({ dir: seedDir.path, shared: { url }, statsSnapshots: false });
        await seed.getBars({ symbol: 'DIA', interval: '1d', start: '2024-01-02', end: '2024-03-29' });
        assert.ok((seed.stats().shared?.publishes ?? 0) >= 1, 'the seed published to Redis');
        await seed.close();
      } finally {
        await seedDir.cleanup();
      }

      const dir = api.settings().cacheDir;
      const bt = await startBacktestProcess(dir, ['--symbols', 'DIA', '--start', '2024-02-01', '--end', '2024-02-29'], { BARCACHE_SHARED_URL: url });
      try {
        const up = await eventually('status bar shows the team tier', async () => {
          const st = await api.refreshStats();
          return st.view.totals.shared && st.view.totals.shared.hits > 0 ? st : undefined;
        });
        assert.equal(up.state, 'live');
        assert.match(up.text, /· \$\(organization\) team \d+$/);
        assert.match(up.accessibilityLabel, /team cache \(Redis\) \d+ hits?/);
        assert.match(up.tooltip, /\| Team \(Redis\) \| \d+ \| \d+ \|/);
        assert.ok(!up.tooltip.includes('@'), 'no credentials in the tooltip');
        const noticesBefore = up.sharedFaultNotices;

        await redis!.kill();
        await readThrough(bt.child, 'QQQ');
        const down = await eventually('status bar shows the team tier unreachable', async () => {
          const st = await api.refreshStats();
          return st.state === 'warning' ? st : undefined;
        });
        assert.match(down.text, /\$\(warning\) team offline/);
        assert.match(down.accessibilityLabel, /team cache \(Redis\) unreachable/);
        assert.equal(down.sharedFaultNotices, noticesBefore + 1, 'said once');
        // Still down, another read: no second notice.
        await readThrough(bt.child, 'XLE');
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal((await api.refreshStats()).sharedFaultNotices, noticesBefore + 1, 'not said again');

        await redis!.restart();
        let i = 0;
        const back = await eventually(
          'status bar clears the warning once Redis answers again',
          async () => {
            // Each read is a new symbol, so it goes upstream and reaches Redis once it is back.
            await readThrough(bt.child, `XB${i++}`);
            const st = await api.refreshStats();
            return st.state === 'live' && st.view.totals.shared?.status === 'ok' ? st : undefined;
          },
          60_000,
        );
        assert.match(back.text, /· \$\(organization\) team \d+$/);
      } finally {
        await stopProcess(bt.child);
      }
    });
  });
}
