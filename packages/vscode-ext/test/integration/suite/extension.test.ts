/**
 * The extension itself in a real VS Code: activation and contributed commands, the status bar,
 * settings applied without a reload, and how commands check their arguments. Runs first (the idle
 * status bar is checked before any command has made the database).
 */
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { BarcacheApi } from '../../../src/vscode/extension.js';
import type { WarmResult } from '../../../src/vscode/commands/index.js';
import { CANCEL_NEXT_WARM, TEST_HOOKS_ENV } from '../../../src/vscode/test-hooks.js';
import { activateExtension, eventually, EXTENSION_ID, restoreSettings, tempDirs } from './helpers.js';

export function defineExtensionTests(): void {
  describe('Barcache extension in a real VS Code', function () {
    this.timeout(60_000);
    let api: BarcacheApi;
    let dir: string;
    const temp = tempDirs();
    const tempDir = temp.make;

    before(async () => {
      ({ api, dir } = await activateExtension());
      console.log(`  cache dir: ${dir}; VS Code ${vscode.version}; provider: ${process.env.BARCACHE_YAHOO_BASE_URL ?? 'Yahoo'}`);
    });

    after(async () => {
      await restoreSettings();
      await temp.cleanup();
    });

    it('activates on startup and contributes its commands in the Barcache category', async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      assert.equal(ext.isActive, true);
      const pkg = ext.packageJSON as { activationEvents: string[]; contributes: { commands: { command: string; title: string; category: string }[] } };
      assert.ok(pkg.activationEvents.includes('onStartupFinished'));
      assert.ok(!pkg.activationEvents.includes('*'));
      const titles = pkg.contributes.commands.filter((c) => c.category === 'Barcache').map((c) => c.title);
      for (const t of ['Warm Cache…', 'Warm from Backtest Plan', 'Show Stats', 'Clear Cache…', 'Explain Range…', 'Open Cache Folder', 'Toggle Offline Mode']) {
        assert.ok(titles.includes(t), `command "${t}"`);
      }
      const registered = await vscode.commands.getCommands(true);
      for (const c of pkg.contributes.commands) assert.ok(registered.includes(c.command), `${c.command} is registered`);
      if (process.env.BARCACHE_DIR) assert.equal(dir, path.resolve(process.env.BARCACHE_DIR));
    });

    it('shows an idle status bar, labelled Barcache, that opens the stats', async () => {
      const s = await api.refreshStats();
      assert.equal(s.visible, true);
      assert.equal(s.state, 'idle');
      assert.match(s.accessibilityLabel, /^Barcache/);
      assert.match(s.text, /Barcache idle/);
      assert.equal(s.command, 'barcache.showStats');
      assert.equal(fs.existsSync(path.join(dir, 'db')), false, 'activation does not create the database');
    });

    it('applies settings without a reload (status bar, cache dir, offline mode)', async () => {
      const cfg = () => vscode.workspace.getConfiguration('barcache');
      // An open stats view keeps the snapshots watched; with none open, only the status bar does.
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await cfg().update('statusBar.enabled', false, vscode.ConfigurationTarget.Global);
      await eventually('status bar hidden', () => (api.statusBar().visible ? undefined : true));
      await eventually('polling stopped with the status bar hidden and no stats view', () => (api.statusBar().watching ? undefined : true));
      await cfg().update('statusBar.enabled', undefined, vscode.ConfigurationTarget.Global);
      await eventually('status bar shown', () => (api.statusBar().visible ? true : undefined));
      assert.equal(api.statusBar().watching, true);
      assert.match(api.statusBar().accessibilityLabel, /^Barcache/);

      const other = tempDir('barcache-other-');
      await cfg().update('cacheDir', other, vscode.ConfigurationTarget.Global);
      await eventually('new cache dir', () => (api.settings().cacheDir === other ? true : undefined));
      const s = await api.refreshStats();
      assert.equal(s.state, 'idle');
      assert.deepEqual((await api.seriesTree()).roots, []);
      await cfg().update('cacheDir', undefined, vscode.ConfigurationTarget.Global);
      await eventually('cache dir restored', () => (api.settings().cacheDir === dir ? true : undefined));

      const on = await vscode.commands.executeCommand('barcache.toggleOffline');
      assert.equal(on, true);
      await eventually('offline in settings', () => (api.settings().offline ? true : undefined));
      assert.match(api.statusBar().accessibilityLabel, /offline mode/);
      // Offline: a range nobody fetched fails instead of calling the provider.
      const r = (await vscode.commands.executeCommand('barcache.warm', { symbols: 'DIA', interval: '1d', start: '2024-01-02', end: '2024-01-31' })) as WarmResult;
      assert.deepEqual(r.report.failed, ['DIA']);
      assert.match(r.summary.failed[0]!.message, /OFFLINE_MISS/);
      const off = await vscode.commands.executeCommand('barcache.toggleOffline');
      assert.equal(off, false);
      await eventually('online again', () => (api.settings().offline ? undefined : true));
      assert.equal(await vscode.commands.executeCommand('barcache.openCacheFolder', { quiet: true }), dir);
    });

    it('rejects malformed automation arguments with a clear message', async () => {
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('barcache.warm', { symbols: '$$$' })), /barcache.warm: Not a ticker/);
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('barcache.clear', {})), /say what to clear/);
    });

    it('keeps test knobs out of the commands: cancelling is a test-only command, there only under the harness', async () => {
      // The production argument schema has no cancel knobs (they were cancelAfterMs / cancelAfterSymbols).
      for (const knob of [{ cancelAfterSymbols: 1 }, { cancelAfterMs: 1 }]) {
        await assert.rejects(Promise.resolve(vscode.commands.executeCommand('barcache.warm', { symbols: 'SPY', ...knob })), /barcache.warm: .*[Uu]nrecognized key/);
      }
      assert.equal(process.env[TEST_HOOKS_ENV], '1', 'the harness started the extension host with the test hooks');
      const all = await vscode.commands.getCommands(true);
      assert.ok(all.includes(CANCEL_NEXT_WARM));
      const contributed = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands;
      assert.ok(!contributed.some((c) => c.command.startsWith('barcache.test.')), 'no test command is contributed to the palette');
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand(CANCEL_NEXT_WARM, {})), /give afterSymbols or afterMs/);
    });
  });
}
