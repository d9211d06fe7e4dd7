import path from 'node:path';
import type { Interval, SharedTierOptions } from '@barcache/cache-core';
import { INTERVAL_LIST, isInterval, parseSymbols } from './quick-input.js';

/** The extension's settings as one plain, validated object (the `barcache.*` configuration). */
export interface BarcacheSettings {
  /** Absolute cache dir. */
  cacheDir: string;
  /** True when the dir came from the setting rather than the CLI's default rule. */
  cacheDirFromSetting: boolean;
  memoryMaxBytes: number;
  /** undefined = unlimited. */
  diskMaxBytes: number | undefined;
  offline: boolean;
  statusBarEnabled: boolean;
  staleMs: number;
  pollMs: number;
  defaultInterval: Interval;
  defaultSymbols: string[];
  defaultRangeDays: number;
  /** `barcache.shared.url`: the team cache (Redis) URL; absent = $BARCACHE_SHARED_URL, as the CLI. Never logged. */
  sharedUrl?: string;
  /** `barcache.shared.prefix`: its key prefix; absent = $BARCACHE_SHARED_PREFIX, else cache-core's default. */
  sharedPrefix?: string;
}

export interface SettingsContext {
  /** Where `~` points. */
  homedir: string;
  /** `${workspaceFolder}`, when a folder is open. */
  workspaceFolder?: string;
  /** The CLI's rule (cache-core's defaultCacheDir()): $BARCACHE_DIR, else the OS cache dir. */
  defaultCacheDir: () => string;
}

const MIB = 1024 * 1024;

/**
 * Reads the settings through `get(key)` (VS Code's `getConfiguration('barcache').get`), replacing
 * anything malformed by its default, so a bad value in settings.json never breaks the extension.
 */
export function readSettings(get: (key: string) => unknown, ctx: SettingsContext): BarcacheSettings {
  const rawDir = get('cacheDir');
  const dirSetting = typeof rawDir === 'string' ? rawDir.trim() : '';
  const cacheDir = dirSetting ? resolveDir(dirSetting, ctx) : ctx.defaultCacheDir();

  const memoryMB = positive(get('memoryBudgetMB'), 256);
  const diskMB = nonNegative(get('diskBudgetMB'), 0);
  const interval = get('defaultInterval');
  const symbolsRaw = get('defaultSymbols');
  let defaultSymbols: string[] = ['SPY'];
  if (Array.isArray(symbolsRaw)) {
    const parsed = parseSymbols(symbolsRaw.filter((s): s is string => typeof s === 'string').join(','));
    if (parsed.ok && parsed.symbols.length > 0) defaultSymbols = parsed.symbols;
  }
  const sharedUrl = trimmed(get('shared.url'));
  const sharedPrefix = trimmed(get('shared.prefix'));
  return {
    cacheDir,
    cacheDirFromSetting: dirSetting !== '',
    memoryMaxBytes: Math.round(memoryMB * MIB),
    diskMaxBytes: diskMB > 0 ? Math.round(diskMB * MIB) : undefined,
    offline: get('offline') === true,
    statusBarEnabled: get('statusBar.enabled') !== false,
    staleMs: Math.round(Math.max(2, positive(get('statusBar.staleAfterSeconds'), 30)) * 1000),
    pollMs: Math.round(Math.max(1, positive(get('statusBar.pollSeconds'), 5)) * 1000),
    defaultInterval: isInterval(interval) ? interval : '1d',
    defaultSymbols,
    defaultRangeDays: Math.round(positive(get('defaultRangeDays'), 365)),
    ...(sharedUrl ? { sharedUrl } : {}),
    ...(sharedPrefix ? { sharedPrefix } : {}),
  };
}

/**
 * The `shared` option for openCache: the setting's URL, else $BARCACHE_SHARED_URL (the CLI's
 * rule), with the setting's prefix when given; undefined leaves it to cache-core (env or none).
 */
export function sharedOption(settings: Pick<BarcacheSettings, 'sharedUrl' | 'sharedPrefix'>, env: NodeJS.ProcessEnv = process.env): SharedTierOptions | undefined {
  const url = settings.sharedUrl ?? (env.BARCACHE_SHARED_URL || undefined);
  if (url === undefined) return undefined;
  return { url, ...(settings.sharedPrefix ? { prefix: settings.sharedPrefix } : {}) };
}

function trimmed(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Expands `~` and `${workspaceFolder}`, and makes a relative path absolute (against the workspace, else home). */
export function resolveDir(value: string, ctx: SettingsContext): string {
  let v = value.trim();
  if (v === '~' || v.startsWith('~/') || v.startsWith('~\\')) v = path.join(ctx.homedir, v.slice(1));
  if (v.includes('${workspaceFolder}')) {
    v = v.split('${workspaceFolder}').join(ctx.workspaceFolder ?? ctx.homedir);
  }
  if (!path.isAbsolute(v)) v = path.join(ctx.workspaceFolder ?? ctx.homedir, v);
  return path.normalize(v);
}

/** Which settings changed in a way that needs the stats watcher, status bar or tree to restart. */
export function settingsDiff(a: BarcacheSettings, b: BarcacheSettings): { dir: boolean; statusBar: boolean; timing: boolean; any: boolean } {
  const dir = a.cacheDir !== b.cacheDir;
  const statusBar = a.statusBarEnabled !== b.statusBarEnabled || a.offline !== b.offline;
  const timing = a.staleMs !== b.staleMs || a.pollMs !== b.pollMs;
  const any = JSON.stringify(a) !== JSON.stringify(b);
  return { dir, statusBar, timing, any };
}

function positive(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}
function nonNegative(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
}

export { INTERVAL_LIST };
