import { describe, expect, it } from 'vitest';
import { readSettings, resolveDir, settingsDiff } from '../../src/settings.js';

const ctx = { homedir: '/home/q', workspaceFolder: '/ws', defaultCacheDir: () => '/home/q/.cache/barcache' };
const from = (o: Record<string, unknown>) => (k: string) => o[k];

describe('settings', () => {
  it('defaults to the CLI dir and sane budgets', () => {
    const s = readSettings(from({}), ctx);
    expect(s).toEqual({
      cacheDir: '/home/q/.cache/barcache',
      cacheDirFromSetting: false,
      memoryMaxBytes: 256 * 1024 * 1024,
      diskMaxBytes: undefined,
      offline: false,
      statusBarEnabled: true,
      staleMs: 30_000,
      pollMs: 5_000,
      defaultInterval: '1d',
      defaultSymbols: ['SPY'],
      defaultRangeDays: 365,
    });
  });
  it('reads and validates every setting', () => {
    const s = readSettings(
      from({
        cacheDir: '~/bc',
        memoryBudgetMB: 64,
        diskBudgetMB: 1024,
        offline: true,
        'statusBar.enabled': false,
        'statusBar.staleAfterSeconds': 1,
        'statusBar.pollSeconds': 2,
        defaultInterval: '5m',
        defaultSymbols: ['qqq', 'iwm'],
        defaultRangeDays: 30,
      }),
      ctx,
    );
    expect(s).toMatchObject({
      cacheDir: '/home/q/bc',
      cacheDirFromSetting: true,
      memoryMaxBytes: 64 * 1024 * 1024,
      diskMaxBytes: 1024 * 1024 * 1024,
      offline: true,
      statusBarEnabled: false,
      staleMs: 2_000,
      pollMs: 2_000,
      defaultInterval: '5m',
      defaultSymbols: ['QQQ', 'IWM'],
      defaultRangeDays: 30,
    });
  });
  it('replaces malformed values by defaults', () => {
    const s = readSettings(from({ memoryBudgetMB: 'lots', diskBudgetMB: -5, defaultInterval: '1y', defaultSymbols: ['$$$'], offline: 'yes' }), ctx);
    expect(s.memoryMaxBytes).toBe(256 * 1024 * 1024);
    expect(s.diskMaxBytes).toBeUndefined();
    expect(s.defaultInterval).toBe('1d');
    expect(s.defaultSymbols).toEqual(['SPY']);
    expect(s.offline).toBe(false);
  });
  it('expands ~ and ${workspaceFolder}, and anchors relative paths', () => {
    expect(resolveDir('~', ctx)).toBe('/home/q');
    expect(resolveDir('${workspaceFolder}/.barcache', ctx)).toBe('/ws/.barcache');
    expect(resolveDir('data/cache', ctx)).toBe('/ws/data/cache');
    expect(resolveDir('data', { ...ctx, workspaceFolder: undefined })).toBe('/home/q/data');
  });
  it('diffs what needs restarting', () => {
    const a = readSettings(from({}), ctx);
    expect(settingsDiff(a, a)).toEqual({ dir: false, statusBar: false, timing: false, any: false });
    expect(settingsDiff(a, readSettings(from({ cacheDir: '/x' }), ctx))).toMatchObject({ dir: true, any: true });
    expect(settingsDiff(a, readSettings(from({ offline: true }), ctx))).toMatchObject({ statusBar: true });
    expect(settingsDiff(a, readSettings(from({ 'statusBar.pollSeconds': 9 }), ctx))).toMatchObject({ timing: true });
  });
});

describe('team cache setting', () => {
  it('reads barcache.shared.url and prefix, falling back to the environment like the CLI', async () => {
    const { sharedOption } = await import('../../src/settings.js');
    const s = readSettings(from({ 'shared.url': ' redis://alice:pw@10.0.0.5:6379 ', 'shared.prefix': 'team-a:' }), ctx);
    expect(s.sharedUrl).toBe('redis://alice:pw@10.0.0.5:6379');
    expect(sharedOption(s, {})).toEqual({ url: 'redis://alice:pw@10.0.0.5:6379', prefix: 'team-a:' });
    const none = readSettings(from({ 'shared.url': '' }), ctx);
    expect(none.sharedUrl).toBeUndefined();
    expect(sharedOption(none, {})).toBeUndefined();
    expect(sharedOption(none, { BARCACHE_SHARED_URL: 'redis://10.0.0.9:6379' })).toEqual({ url: 'redis://10.0.0.9:6379' });
    expect(sharedOption({ sharedPrefix: 'b:' }, { BARCACHE_SHARED_URL: 'redis://10.0.0.9:6379' })).toEqual({ url: 'redis://10.0.0.9:6379', prefix: 'b:' });
  });
});
