import { describe, expect, it } from 'vitest';
import { makeNonce, renderStatsBody, renderStatsPage } from '../../src/stats-html.js';
import { intervalRates, renderHitRateSvg, StatsHistory } from '../../src/stats-history.js';
import { viewFromSnapshots } from '../../src/stats-watcher.js';
import { snapshot, stats } from './fixtures.js';

describe('hit-rate history', () => {
  it('dedupes unchanged samples and bounds its size', () => {
    const h = new StatsHistory(3);
    h.add({ at: 1, requests: 0, hits: 0 });
    h.add({ at: 2, requests: 0, hits: 0 });
    h.add({ at: 3, requests: 10, hits: 5 });
    h.add({ at: 4, requests: 20, hits: 15 });
    h.add({ at: 5, requests: 30, hits: 25 });
    expect(h.samples.map((s) => s.at)).toEqual([3, 4, 5]);
  });
  it('plots the rate between samples, restarting when counters drop', () => {
    expect(
      intervalRates([
        { at: 1, requests: 10, hits: 5 },
        { at: 2, requests: 20, hits: 15 },
        { at: 3, requests: 20, hits: 15 },
        { at: 4, requests: 4, hits: 4 },
      ]),
    ).toEqual([
      { at: 1, rate: 0.5, requests: 10 },
      { at: 2, rate: 1, requests: 10 },
      { at: 4, rate: 1, requests: 4 },
    ]);
  });
  it('renders an inline svg with a line, or a placeholder', () => {
    const svg = renderHitRateSvg([
      { at: Date.UTC(2024, 0, 1, 10), requests: 10, hits: 5 },
      { at: Date.UTC(2024, 0, 1, 10, 1), requests: 20, hits: 15 },
    ]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<polyline points="');
    expect(svg).toContain('now 100%');
    expect(svg).not.toMatch(/<script|style=/);
    expect(renderHitRateSvg([])).toContain('no requests yet');
  });
});

describe('stats page', () => {
  it('has a strict CSP with the nonce on its only style and script', () => {
    const nonce = makeNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(Array.from({ length: 50 }, () => makeNonce())).size).toBe(50);
    const html = renderStatsPage({ nonce, cspSource: 'vscode-webview://x', body: '<p>hi</p>' });
    expect(html).toContain(`content="default-src 'none'; img-src vscode-webview://x data:; style-src vscode-webview://x 'nonce-${nonce}'; script-src 'nonce-${nonce}'"`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html).toContain('<div id="root"><p>hi</p></div>');
  });
  it('body shows tiers, processes (escaped), and the chart', () => {
    const now = Date.UTC(2024, 0, 1, 12);
    const view = viewFromSnapshots('/c<x>', [snapshot(5, '<b>bt</b>', stats({ l1Hits: 8, l2Misses: 2 }), { updatedAt: now })], { now, offline: true });
    const body = renderStatsBody(view, [{ at: now, requests: 10, hits: 8 }], now);
    expect(body).toContain('<span class="big" id="hit-rate">80%</span>');
    expect(body).toContain('<tr><th>Memory (L1)</th><td class="n">8</td><td class="n">2</td>');
    expect(body).toContain('&lt;b&gt;bt&lt;/b&gt;');
    expect(body).toContain('/c&lt;x&gt; · offline mode');
    expect(body).toContain('<svg');
  });
});

import { renderRunsTable } from '../../src/stats-html.js';
import { runViews } from '../../src/stats-model.js';

describe('recent runs in the stats view (the cache dir\'s run history)', () => {
  it('lists each run with its label, figures and errors, escaped; an empty history says so', () => {
    const now = Date.parse('2024-06-01T12:00:00Z');
    const stats = { requests: 10, l1: { hits: 6, misses: 0, bytes: 0, entries: 0, pinnedEntries: 0 }, l2: { hits: 3, misses: 1, bytes: 0, series: 0, corruptBlocks: 0 },
      provider: { calls: 2, bars: 500, errors: 1, retries: 0, droppedBars: 0 }, providerCallsSaved: 9, hitRate: 0.9, latency: { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 }, prefetch: { runs: 1, symbols: 2 }, startedAt: 0 };
    const html = renderRunsTable(runViews([{ version: 1, pid: 42, hostname: 'h', label: 'barcache <warm>', dir: '/d', startedAt: now - 90_000, endedAt: now - 60_000, stats }]), now);
    expect(html).toContain('<td>1 min ago</td><td>barcache &lt;warm&gt;</td><td class="n">42</td><td class="n">10</td><td class="n">90%</td><td class="n">2</td><td class="n">500</td><td class="n">1</td>');
    expect(renderRunsTable([], now)).toMatch(/No runs recorded yet/);
  });
});
