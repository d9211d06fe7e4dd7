import type { PrefetchReport, SeriesInfo } from '@barcache/cache-core';
import { describe, expect, it } from 'vitest';
import { describeHolder, errorText, isAbortError, isLockedError, lockedMessage } from '../../src/error-text.js';
import { buildSeriesTree } from '../../src/series-tree-model.js';
import { progressMessage, summarizeWarm } from '../../src/warm-summary.js';

const D = (s: string) => Date.parse(`${s}T00:00:00Z`);
const NOW = D('2024-10-15');

describe('series tree', () => {
  const series: SeriesInfo[] = [
    { provider: 'yahoo', symbol: 'SPY', interval: '1d', covered: [{ start: D('2024-01-01'), end: D('2024-07-01') }], bars: 125, bytes: 4096, firstBar: D('2024-01-02'), lastBar: D('2024-06-28'), lastFetchedAt: NOW - 300_000 },
    { provider: 'yahoo', symbol: 'AAPL', interval: '1wk', covered: [], bars: 0, bytes: 0 },
    { provider: 'yahoo', symbol: 'SPY', interval: '5m', covered: [{ start: D('2024-10-01') + 13.5 * 3_600_000, end: D('2024-10-01') + 20 * 3_600_000 }], bars: 78, bytes: 2048 },
  ];
  it('groups symbol → interval → ranges, sorted', () => {
    const tree = buildSeriesTree(series, NOW);
    expect(tree.map((n) => n.label)).toEqual(['AAPL', 'SPY']);
    const spy = tree[1]!;
    expect(spy.description).toBe('2 intervals · 203 bars · 6.0 KiB');
    expect(spy.children.map((c) => c.label)).toEqual(['5m', '1d']);
    const daily = spy.children[1]!;
    expect(daily.description).toBe('125 bars · 4.0 KiB · fetched 5 min ago');
    expect(daily.children).toEqual([{ kind: 'range', id: 'ser:yahoo:SPY:1d:0', label: '2024-01-01 → 2024-06-30', description: '182 days' }]);
    expect(daily.tooltip).toContain('bars 2024-01-02 → 2024-06-28');
    expect(spy.children[0]!.children[0]!.label).toBe('2024-10-01 13:30 → 2024-10-01 20:00');
    expect(tree[0]!.children[0]!.description).toBe('0 bars · 0 B · never fetched');
  });
  it('always labels series that are not Yahoo\'s (imported files)', () => {
    const tree = buildSeriesTree([{ ...series[0]!, provider: 'file' }], NOW);
    expect(tree[0]!.children.map((c) => c.label)).toEqual(['1d (file)']);
  });
  it('shows the provider only when several are cached', () => {
    const tree = buildSeriesTree([...series, { ...series[0]!, provider: 'fake' }], NOW);
    expect(tree[1]!.children.map((c) => c.label)).toEqual(['5m (yahoo)', '1d (fake)', '1d (yahoo)']);
  });
});

function report(over: Partial<PrefetchReport> = {}): PrefetchReport {
  return {
    interval: '1d',
    symbols: [
      { symbol: 'SPY', start: 0, end: 1, bars: 250, lookbackBars: 20, lookbackSatisfied: true, providerCalls: 1, source: 'provider', windowed: false },
      { symbol: 'NEW', start: 0, end: 1, bars: 10, lookbackBars: 2, lookbackSatisfied: false, providerCalls: 1, source: 'provider', windowed: false },
      { symbol: 'NOPE', start: 0, end: 1, bars: 0, lookbackBars: 0, lookbackSatisfied: false, providerCalls: 1, source: 'provider', windowed: false, error: { code: 'UNKNOWN_SYMBOL', message: 'No data for NOPE' } },
    ],
    providerCalls: 3,
    barsFetched: 260,
    elapsedMs: 1234,
    failed: ['NOPE'],
    ...over,
  };
}

describe('warm summary', () => {
  it('lists failures by name and flags short lookbacks', () => {
    const s = summarizeWarm(report());
    expect(s.severity).toBe('warning');
    expect(s.message).toBe(
      'Barcache: warmed 2 of 3 1d series — 3 provider calls, 260 bars fetched in 1.2 s. Failed: NOPE (No data for NOPE [UNKNOWN_SYMBOL]). Short lookback (young listing): NEW.',
    );
    expect(s.failed).toEqual([{ symbol: 'NOPE', message: 'No data for NOPE [UNKNOWN_SYMBOL]' }]);
    expect(s.lines[2]).toBe('  ✗ NOPE: No data for NOPE [UNKNOWN_SYMBOL]');
  });
  it('says when everything was cached, and when cancelled', () => {
    const ok = summarizeWarm(report({ symbols: [report().symbols[0]!], failed: [], providerCalls: 0, barsFetched: 0 }));
    expect(ok.severity).toBe('info');
    expect(ok.message).toContain('everything was already cached (0 provider calls)');
    expect(summarizeWarm(report(), { cancelled: true }).message).toMatch(/^Barcache: warm cancelled — 2 of 3/);
    expect(summarizeWarm(report({ symbols: [report().symbols[2]!] })).severity).toBe('error');
  });
  it('progress text', () => {
    expect(progressMessage({ symbol: 'SPY', done: 1, total: 3, status: 'ok' })).toBe('SPY ✓ (1/3)');
  });
});

describe('error text', () => {
  const locked = { code: 'LOCKED', message: 'locked', details: { holder: { pid: 4242, command: 'node backtest.mjs', hostname: 'box' } } };
  it('names the lock holder', () => {
    expect(isLockedError(locked)).toBe(true);
    expect(describeHolder(locked.details)).toBe('pid 4242 (node backtest.mjs) on box');
    expect(lockedMessage(locked, '/c')).toBe('The Barcache cache is in use by pid 4242 (node backtest.mjs) on box. It holds /c until it closes the cache.');
    expect(lockedMessage({ code: 'LOCKED', message: 'x' }, '/c')).toBe('The Barcache cache at /c is in use by another process.');
  });
  it('formats other errors', () => {
    expect(errorText({ code: 'OFFLINE_MISS', message: 'missing 2024' })).toBe('missing 2024 [OFFLINE_MISS]');
    expect(errorText(new Error('x'))).toBe('x');
    expect(errorText('s')).toBe('s');
    expect(isAbortError({ code: 'ABORTED', message: 'a' })).toBe(true);
    expect(isAbortError(new Error('x'))).toBe(false);
  });
});

describe('warm summary after a cancel', () => {
  it('counts symbols stopped by the cancel as not started, not failed', () => {
    const base = report();
    const aborted = { ...base.symbols[0]!, symbol: 'QQQ', bars: 0, error: { code: 'ABORTED', message: 'prefetch was cancelled' } };
    const s = summarizeWarm({ ...base, symbols: [base.symbols[0]!, aborted], failed: ['QQQ'] });
    expect(s.cancelled).toBe(true);
    expect(s.failed).toEqual([]);
    expect(s.skipped).toEqual(['QQQ']);
    expect(s.severity).toBe('warning');
    expect(s.message).toMatch(/^Barcache: warm cancelled — 1 of 2 1d series complete, 1 not started;/);
    expect(s.lines[1]).toBe('  – QQQ: not started (cancelled)');
  });
});

import { explainText } from '../../src/explain-text.js';

describe('explain text', () => {
  it('summarises tiers and planned requests', () => {
    const start = D('2024-01-01');
    const mid = D('2024-01-11');
    const end = D('2024-01-20'); // inclusive end
    const r = explainText({
      symbol: 'SPY',
      interval: '1d',
      start,
      end,
      parts: [
        { range: { start, end: mid }, tier: 'l2' },
        { range: { start: mid, end: end + 86_400_000 }, tier: 'provider' },
      ],
      plannedRequests: [{ start: mid, end: D('2024-02-01') }],
      missing: [{ start: mid, end: end + 86_400_000 }],
    });
    expect(r.summary).toBe('SPY 1d 2024-01-01 → 2024-01-20: 53% disk (L2), 47% provider (missing); 1 missing range, 1 provider request would be made.');
    expect(r.lines).toContain('  2024-01-01 → 2024-01-10 ← disk (L2)');
    expect(r.lines).toContain('  would fetch 2024-01-11 → 2024-01-31');
  });
});
