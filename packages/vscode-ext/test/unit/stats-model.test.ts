import { describe, expect, it } from 'vitest';
import { statusBarModel, sumStats, tooltipMarkdown } from '../../src/stats-model.js';
import { viewFromSnapshots } from '../../src/stats-watcher.js';
import { snapshot, stats } from './fixtures.js';

const NOW = Date.UTC(2024, 9, 15, 12);

describe('sumStats', () => {
  it('adds counters, keeps the shared disk size, recomputes the hit rate', () => {
    const t = sumStats([stats({ l1Hits: 90, l2Misses: 10, l2Bytes: 5000, l1Bytes: 100 }), stats({ l2Hits: 50, l2Misses: 50, l2Bytes: 6000, l1Bytes: 200 })]);
    expect(t.requests).toBe(200);
    expect(t.l1.hits).toBe(90);
    expect(t.l2.hits).toBe(50);
    expect(t.l2.misses).toBe(60);
    expect(t.l1.bytes).toBe(300);
    expect(t.l2.bytes).toBe(6000);
    expect(t.providerCallsSaved).toBe(140);
    expect(t.hitRate).toBeCloseTo(0.7);
  });
  it('survives partial or malformed stats', () => {
    expect(sumStats([{}, { requests: Number.NaN }]).requests).toBe(0);
    expect(sumStats([]).hitRate).toBe(0);
  });
  it('keeps the latest prefetch time', () => {
    expect(sumStats([stats({ lastWarm: 5 }), stats({ lastWarm: 9 }), stats({})]).prefetch.lastAt).toBe(9);
  });
});

describe('status bar model', () => {
  it('shows the aggregated hit rate, requests and saved calls of all processes', () => {
    const view = viewFromSnapshots(
      '/c',
      [snapshot(10, 'backtest', stats({ l1Hits: 900, l2Hits: 50, l2Misses: 50 })), snapshot(11, 'barcache warm', stats({ l2Misses: 234 }), { updatedAt: 2000 })],
      { now: NOW, offline: false },
    );
    const m = statusBarModel(view, NOW);
    expect(m.state).toBe('live');
    expect(m.text).toBe('$(database) 77% hit · 1.2k req · 950 saved');
    expect(m.accessibilityLabel).toBe('Barcache: hit rate 77 percent, 1234 requests, 950 provider calls saved, 2 processes');
    expect(view.processes.map((p) => p.pid)).toEqual([11, 10]);
  });
  it('is idle with no requests, flags offline mode and read errors', () => {
    const idle = statusBarModel(viewFromSnapshots('/c', [], { now: NOW, offline: true }), NOW);
    expect(idle.state).toBe('idle');
    expect(idle.text).toBe('$(database) Barcache idle $(debug-disconnect)');
    expect(idle.accessibilityLabel).toBe('Barcache: no requests yet, 0 processes, offline mode');
    const err = statusBarModel(viewFromSnapshots('/c', [], { now: NOW, offline: false, error: 'EACCES' }), NOW);
    expect(err.state).toBe('error');
    expect(err.accessibilityLabel).toMatch(/^Barcache: cannot read stats \(EACCES\)/);
  });
  it('tooltip is a table per tier with processes and the last warm', () => {
    const view = viewFromSnapshots('/c', [snapshot(10, 'back|test', stats({ l1Hits: 3, l2Hits: 1, l2Misses: 1, l1Bytes: 2048, l2Bytes: 3 * 1024 * 1024 }))], {
      now: NOW,
      offline: false,
      lastWarm: { at: NOW - 120_000, symbols: 3, failed: 1, interval: '1d', providerCalls: 4, barsFetched: 1500, elapsedMs: 800 },
    });
    const md = tooltipMarkdown(view, NOW);
    expect(md).toContain('| Tier | Hits | Misses | Bytes |');
    expect(md).toContain('| Memory (L1) | 3 | 2 | 2.0 KiB |');
    expect(md).toContain('| Disk (L2) | 1 | 1 | 3.0 MiB |');
    expect(md).toContain('| Provider | 1 calls | 0 errors | 100 bars |');
    expect(md).toContain('back\\|test (pid 10): 5 req, 80%');
    expect(md).toContain('Last warm: 3 symbols 1d, 4 provider calls, 1.5k bars fetched, 1 failed (2 min ago)');
  });
  it('counts a warm without requests as activity', () => {
    const view = viewFromSnapshots('/c', [snapshot(10, 'vscode', { ...stats({ calls: 4, lastWarm: NOW }), requests: 0 }, { closed: true })], { now: NOW, offline: false });
    const m = statusBarModel(view, NOW);
    expect(m.state).toBe('live');
    expect(m.text).toBe('$(database) 3 warmed · 4 calls');
    expect(m.accessibilityLabel).toBe('Barcache: no requests yet; 3 series warmed with 4 provider calls, 1 process');
  });
  it('last warm by another process when it is more recent', () => {
    const view = viewFromSnapshots('/c', [snapshot(10, 'cli', stats({ lastWarm: NOW - 60_000 }))], { now: NOW, offline: false });
    expect(tooltipMarkdown(view, NOW)).toContain('Last warm: by another process, 1 min ago');
    expect(tooltipMarkdown(viewFromSnapshots('/c', [], { now: NOW, offline: false }), NOW)).toContain('Last warm: never');
  });
  it('uses an injected aggregator (cache-core aggregateStats)', () => {
    const view = viewFromSnapshots('/c', [snapshot(1, 'x', stats({ l1Hits: 1 }))], {
      now: NOW,
      offline: false,
      aggregate: () => ({ ...sumStats([]), requests: 42, hitRate: 0.5, providerCallsSaved: 21 }),
    });
    expect(statusBarModel(view, NOW).text).toBe('$(database) 50% hit · 42 req · 21 saved');
  });
});

import { addCacheStats } from '../../src/stats-model.js';

describe('addCacheStats (one process, consecutive sessions)', () => {
  it('adds counters, keeps the later sizes, recomputes rates', () => {
    const a = { ...stats({ l1Hits: 3, l2Misses: 1, l2Bytes: 100, l1Bytes: 50, lastWarm: 5 }), startedAt: 10 };
    const b = { ...stats({ l2Hits: 4, l2Misses: 4, l2Bytes: 300, l1Bytes: 20 }), startedAt: 20 };
    const s = addCacheStats(a, b);
    expect(s.requests).toBe(12);
    expect(s.l1.hits).toBe(3);
    expect(s.l2.hits).toBe(4);
    expect(s.l2.bytes).toBe(300);
    expect(s.l1.bytes).toBe(20);
    expect(s.hitRate).toBeCloseTo(7 / 12);
    expect(s.provider.calls).toBe(5);
    expect(s.prefetch).toEqual({ runs: 1, symbols: 3, lastAt: 5 });
    expect(s.startedAt).toBe(10);
    expect(s.latency.count).toBe(12);
  });
});
