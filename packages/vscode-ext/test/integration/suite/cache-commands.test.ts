/**
 * The cache commands on one cache dir, in order: warm (symbols, a plan file), explain, working beside
 * a backtest in another process that leads the dir, cancelling a warm, and clearing. Each test
 * builds on what the previous ones stored.
 */
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { startYahooChartServer } from '@barcache/test-support';
import type { BarcacheApi } from '../../../src/vscode/extension.js';
import type { WarmResult } from '../../../src/vscode/commands/index.js';
import { CANCEL_NEXT_WARM } from '../../../src/vscode/test-hooks.js';
import {
  activateExtension,
  coveredRangesWithBars,
  day,
  eventually,
  loopbackDaily,
  restoreSettings,
  seriesOnDisk,
  startBacktestProcess,
  stopProcess,
  tempDirs,
} from './helpers.js';

export function defineCacheCommandTests(): void {
  describe('Barcache cache commands in a real VS Code', function () {
    this.timeout(60_000);
    let api: BarcacheApi;
    let dir: string;
    const temp = tempDirs();
    const tempDir = temp.make;

    before(async () => {
      ({ api, dir } = await activateExtension());
    });

    after(async () => {
      await restoreSettings();
      await temp.cleanup();
    });

    it('warms symbols from the loopback provider, with a summary, and the tree and disk show them', async () => {
      const r = (await vscode.commands.executeCommand('barcache.warm', {
        symbols: ['SPY', 'QQQ'],
        interval: '1d',
        start: '2024-01-02',
        end: '2024-06-28',
        lookback: { bars: 20 },
      })) as WarmResult;
      assert.deepEqual(r.report.failed, []);
      assert.equal(r.cancelled, false);
      assert.ok(r.report.providerCalls >= 2, `provider calls ${r.report.providerCalls}`);
      assert.ok(r.report.barsFetched > 100);
      assert.equal(r.summary.severity, 'info');
      assert.match(r.summary.message, /warmed 2 of 2 1d series/);

      const tree = await api.seriesTree();
      assert.deepEqual(tree.roots.map((n) => n.label), ['QQQ', 'SPY']);
      const spy = tree.roots[1]!;
      assert.deepEqual(spy.children.map((c) => c.label), ['1d']);
      assert.ok(spy.children[0]!.children.length >= 1, 'covered ranges listed');
      assert.match(spy.children[0]!.description, /bars · .* · fetched/);

      const disk = await seriesOnDisk(dir);
      assert.deepEqual(disk.map((s) => `${s.symbol} ${s.interval}`).sort(), ['QQQ 1d', 'SPY 1d']);
      assert.ok(disk.every((s) => s.bars > 100));

      const s = await eventually('status bar shows the warm', async () => {
        const st = await api.refreshStats();
        return st.state === 'live' ? st : undefined;
      });
      assert.match(s.text, /warmed/);
      assert.match(s.accessibilityLabel, /^Barcache: /);
      assert.match(s.tooltip, /\| Tier \| Hits \| Misses \| Bytes \|/);
      assert.match(s.tooltip, /Last warm: 2 symbols 1d, \d+ provider calls/);
    });

    it('lists failures by name and does not refetch what it has', async () => {
      const r = (await vscode.commands.executeCommand('barcache.warm', {
        symbols: 'NOSUCHSYMBOL SPY',
        interval: '1d',
        start: '2024-02-01',
        end: '2024-03-01',
      })) as WarmResult;
      assert.deepEqual(r.report.failed, ['NOSUCHSYMBOL']);
      assert.deepEqual(r.summary.failed.map((f) => f.symbol), ['NOSUCHSYMBOL']);
      assert.equal(r.summary.severity, 'warning');
      assert.match(r.summary.message, /Failed: NOSUCHSYMBOL/);
      const spy = r.report.symbols.find((s) => s.symbol === 'SPY')!;
      assert.equal(spy.providerCalls, 0);
    });

    it('warms from a backtest plan file', async () => {
      const planDir = tempDir('barcache-plan-');
      const file = path.join(planDir, 'momentum.barcache.json');
      fs.writeFileSync(file, JSON.stringify({ symbols: ['IWM'], interval: '1wk', start: '2023-01-02', end: '2023-12-25', lookback: { bars: 4 } }));
      const r = (await vscode.commands.executeCommand('barcache.warmFromPlan', { path: file })) as WarmResult;
      assert.deepEqual(r.report.failed, []);
      assert.equal(r.report.interval, '1wk');
      const disk = await seriesOnDisk(dir);
      assert.ok(disk.some((s) => s.symbol === 'IWM' && s.interval === '1wk' && s.bars > 40));
      fs.writeFileSync(file, JSON.stringify({ symbols: [], interval: '1d', start: '2023-01-02', end: '2023-12-25' }));
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('barcache.warmFromPlan', { path: file })), /not a valid backtest plan: symbols/);
    });

    it('explains where a range would come from', async () => {
      const r = (await vscode.commands.executeCommand('barcache.explain', { symbol: 'SPY', interval: '1d', start: '2024-02-01', end: '2024-02-29' })) as {
        missing: unknown[];
        parts: { tier: string }[];
      };
      assert.deepEqual(r.missing, []);
      assert.ok(r.parts.length > 0 && r.parts.every((p) => p.tier !== 'provider'));
    });

    it('shows a backtest in another process live in the status bar, and warms, lists and clears while it leads the cache dir', async () => {
      const bt = await startBacktestProcess(dir);
      try {
        assert.ok(bt.stats.requests > 30);
        const s = await eventually('status bar shows the other process', async () => {
          const st = await api.refreshStats();
          return st.view.processes.some((p) => p.pid === bt.pid && !p.closed) && st.view.totals.requests >= bt.stats.requests ? st : undefined;
        });
        assert.equal(s.state, 'live');
        assert.match(s.text, /\d+% hit · [\d.k]+ req · [\d.k]+ saved/);
        assert.match(s.accessibilityLabel, /^Barcache: hit rate \d+ percent, \d+ requests, \d+ provider calls saved/);
        assert.match(s.tooltip, /backtest \(integration fixture\) \(pid \d+\)/);

        // The backtest leads the cache dir; the extension's commands follow it and simply work.
        assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'leader.json'), 'utf8')).pid, bt.pid);
        const warmed = (await vscode.commands.executeCommand('barcache.warm', { symbols: 'IWM', interval: '1d', start: '2024-01-02', end: '2024-01-31' })) as WarmResult;
        assert.deepEqual(warmed.report.failed, []);
        const listed = await api.seriesTree();
        assert.equal(listed.message, undefined);
        assert.ok(listed.roots.some((n) => n.label === 'IWM') && listed.roots.some((n) => n.label === 'SPY'));
        assert.deepEqual(await vscode.commands.executeCommand('barcache.clear', { symbol: 'IWM', confirm: false }), { cleared: { symbol: 'IWM' } });
        assert.deepEqual((await seriesOnDisk(dir)).filter((s) => s.symbol === 'IWM'), [], 'IWM is gone from disk');

        // The stats view: per-tier table and the hit-rate chart.
        const body = (await vscode.commands.executeCommand('barcache.showStats')) as string;
        assert.match(body, /<table id="tiers">/);
        assert.match(body, /<svg [^>]*aria-label="Hit rate over time"/);
        assert.match(body, /backtest \(integration fixture\)/);
      } finally {
        await stopProcess(bt.child);
      }
      // Released: the tree lists again.
      const tree = await api.seriesTree();
      assert.equal(tree.message, undefined);
      assert.ok(tree.roots.length >= 2);
    });

    it('cancels a warm without leaving claimed coverage behind', async () => {
      const symbols = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'].map((s) => `${s}${s}${s}`);
      // The test hook cancels the next warm once 2 symbols are done, through the Cancel button's path.
      await vscode.commands.executeCommand(CANCEL_NEXT_WARM, { afterSymbols: 2 });
      const r = (await vscode.commands.executeCommand('barcache.warm', { symbols, interval: '1d', start: '2020-01-02', end: '2024-12-31' })) as WarmResult;
      assert.equal(r.cancelled, true);
      assert.equal(r.summary.cancelled, true);
      assert.match(r.summary.message, /warm cancelled/);
      assert.ok(r.summary.skipped.length > 0, 'some symbols were not started');
      assert.ok(r.summary.skipped.length < symbols.length, 'some symbols were done before the cancel');
      // Every range the cache claims holds the bars the provider served for it, nothing half-written.
      const ranges = await coveredRangesWithBars(dir, symbols);
      assert.ok(ranges.length >= 2, `the symbols done before the cancel are covered (${ranges.length} ranges)`);
      for (const { series, range, bars } of ranges) {
        const what = `${series.symbol} ${series.interval} ${day(range.start)}..${day(range.end)}`;
        assert.ok(bars.length > 0, `${what}: bars inside the covered range`);
        assert.ok(bars.every((b) => b.time >= range.start && b.time < range.end), `${what}: bars within the range`);
        assert.deepEqual(
          bars.map((b) => ({ time: b.time, close: b.close })),
          loopbackDaily(series.symbol, range),
          `${what}: the loopback provider's bars`,
        );
      }
      // Other series (from earlier tests) too: a covered range always has bars in it.
      for (const { series, range, bars } of await coveredRangesWithBars(dir)) {
        assert.ok(bars.length > 0, `${series.symbol} ${series.interval} ${day(range.start)}..${day(range.end)} claims coverage it has no bars for`);
      }
    });

    it('cancels a warm while a provider request is in flight', async () => {
      // A slow provider of our own (this extension host's process env is the extension's).
      const latencyMs = 6000;
      const slow = await startYahooChartServer({ latencyMs });
      const before = process.env.BARCACHE_YAHOO_BASE_URL;
      process.env.BARCACHE_YAHOO_BASE_URL = slow.url;
      const symbols = ['MMMM', 'NNNN'];
      try {
        const t0 = Date.now();
        await vscode.commands.executeCommand(CANCEL_NEXT_WARM, { afterMs: 1000 });
        const r = (await vscode.commands.executeCommand('barcache.warm', { symbols, interval: '1d', start: '2023-01-03', end: '2023-12-29' })) as WarmResult;
        const elapsed = Date.now() - t0;
        assert.ok(r, 'the warm returns its result');
        assert.equal(r.cancelled, true);
        assert.match(r.summary.message, /warm cancelled/);
        const sent = slow.chartRequests();
        assert.ok(sent.length >= 1, 'a provider request was sent');
        assert.ok(sent.some((q) => q.at < t0 + 1000), 'the request was in flight when the warm was cancelled');
        assert.ok(elapsed < latencyMs - 1000, `the cancel did not wait for the slow answer (${elapsed} ms)`);
        // No answer arrived before the cancel: nothing is claimed for these symbols.
        const claimed = (await seriesOnDisk(dir)).filter((s) => symbols.includes(s.symbol) && (s.covered.length > 0 || s.bars > 0));
        assert.deepEqual(claimed.map((s) => `${s.symbol} ${s.interval}`), []);
      } finally {
        if (before === undefined) delete process.env.BARCACHE_YAHOO_BASE_URL;
        else process.env.BARCACHE_YAHOO_BASE_URL = before;
        await slow.close();
      }
      for (const { series, range, bars } of await coveredRangesWithBars(dir)) {
        assert.ok(bars.length > 0, `${series.symbol} ${series.interval} ${day(range.start)}..${day(range.end)} claims coverage it has no bars for`);
      }
    });

    it('clears one symbol, then everything, and the tree and disk agree', async () => {
      const one = await vscode.commands.executeCommand('barcache.clear', { symbol: 'QQQ', confirm: false });
      assert.deepEqual(one, { cleared: { symbol: 'QQQ' } });
      let disk = await seriesOnDisk(dir);
      assert.ok(disk.length > 1);
      assert.deepEqual(disk.filter((s) => s.symbol === 'QQQ'), [], 'QQQ is gone from disk');
      assert.ok(disk.some((s) => s.symbol === 'SPY' && s.bars > 0));
      let tree = await api.seriesTree();
      assert.equal(tree.message, undefined);
      assert.deepEqual(tree.roots.filter((n) => n.label === 'QQQ'), [], 'QQQ is gone from the tree');
      assert.deepEqual(tree.roots.map((n) => n.label).sort(), [...new Set(disk.map((s) => s.symbol))].sort(), 'the tree lists what is on disk');

      await vscode.commands.executeCommand('barcache.clear', { all: true, confirm: false });
      disk = await seriesOnDisk(dir);
      assert.deepEqual(disk, []);
      tree = await api.seriesTree();
      assert.equal(tree.message, undefined);
      assert.deepEqual(tree.roots, []);
    });
  });
}
