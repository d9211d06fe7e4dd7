/**
 * What the integration suite files share: the extension under test (activated, its settings put
 * back afterwards), reading the cache dir with cache-core directly, and a backtest in another process.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { type Bar, openCache, type SeriesInfo, type TimeRange } from '@barcache/cache-core';
import { makeTempDir, syntheticBars, type TempDir } from '@barcache/test-support';
import type { BarcacheApi } from '../../../src/vscode/extension.js';

export const EXTENSION_ID = 'barcache.barcache-vscode';
const FIXTURE = path.resolve(__dirname, '../fixtures/backtest-process.cjs');

/** What is on disk, read with cache-core directly (not through the extension). */
export async function seriesOnDisk(dir: string): Promise<SeriesInfo[]> {
  const cache = await openCache({ dir, offline: true, statsSnapshots: false, lockTimeoutMs: 5000 });
  try {
    return await cache.listSeries();
  } finally {
    await cache.close();
  }
}

/** Each covered range of each series (optionally only these symbols) with the bars the cache has inside it, read offline. */
export async function coveredRangesWithBars(dir: string, only?: readonly string[]): Promise<{ series: SeriesInfo; range: TimeRange; bars: Bar[] }[]> {
  const cache = await openCache({ dir, offline: true, statsSnapshots: false, lockTimeoutMs: 5000 });
  try {
    const out: { series: SeriesInfo; range: TimeRange; bars: Bar[] }[] = [];
    for (const series of await cache.listSeries()) {
      if (only && !only.includes(series.symbol)) continue;
      for (const range of series.covered) {
        // getBars' end is inclusive; covered ranges are half-open.
        const bars = await cache.getBars({ symbol: series.symbol, interval: series.interval, start: range.start, end: range.end - 1 });
        out.push({ series, range, bars });
      }
    }
    return out;
  } finally {
    await cache.close();
  }
}

export const day = (t: number) => new Date(t).toISOString().slice(0, 10);

/** What the loopback server serves for a daily range (test-support's synthetic bars, seed 0): every trading day, its close. */
export function loopbackDaily(symbol: string, range: TimeRange): { time: number; close: number }[] {
  return syntheticBars({ symbol, interval: '1d', start: range.start, end: range.end, seed: 0 }).map((b) => ({ time: b.time, close: b.close }));
}

export async function eventually<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function startBacktestProcess(
  dir: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; pid: number; stats: { requests: number; hitRate: number } }> {
  const child = spawn(process.execPath, [FIXTURE, '--dir', dir, '--symbols', 'SPY', '--start', '2024-02-01', '--end', '2024-03-29', '--label', 'backtest (integration fixture)', '--hold', ...extra], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`backtest process did not get ready: ${err}`)), 30_000);
    child.stderr?.on('data', (d) => (err += String(d)));
    child.stdout?.on('data', (d) => {
      out += String(d);
      const m = /READY (\{.*\})\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        const info = JSON.parse(m[1]!) as { pid: number; stats: { requests: number; hitRate: number } };
        resolve({ child, pid: info.pid, stats: info.stats });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`backtest process exited (${code}): ${err}`));
    });
  });
}

export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.stdin?.write('exit\n');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}


/** The activated extension and its cache dir. */
export async function activateExtension(): Promise<{ api: BarcacheApi; dir: string }> {
  const ext = vscode.extensions.getExtension<BarcacheApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  const api = await ext.activate();
  return { api, dir: api.settings().cacheDir };
}

/** Temp dirs made for one describe block, removed by `cleanup`. */
export function tempDirs(): { make: (prefix: string) => string; cleanup: () => Promise<void> } {
  const made: TempDir[] = [];
  return {
    make(prefix) {
      const d = makeTempDir(prefix);
      made.push(d);
      return d.path;
    },
    async cleanup() {
      for (const d of made.splice(0)) await d.cleanup();
    },
  };
}

/** Puts back the settings the tests change (offline, cache dir, status bar). */
export async function restoreSettings(): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('barcache');
  await cfg.update('offline', undefined, vscode.ConfigurationTarget.Global);
  await cfg.update('cacheDir', undefined, vscode.ConfigurationTarget.Global);
  await cfg.update('statusBar.enabled', undefined, vscode.ConfigurationTarget.Global);
}
