import { describe, expect, it } from 'vitest';
import { BarcacheError, ErrorCode } from '../src/errors.js';
import { clearedText, diffCleared, subtractRanges } from '../src/cli/clear-diff.js';
import { ExitCode, exitCodeFor, formatError, holderPid } from '../src/cli/exit-codes.js';
import {
  explainText,
  lsRows,
  lsSummaryLine,
  processRows,
  renderTable,
  statsTable,
  statsViewOf,
  warmFailureLines,
  warmRows,
  warmSummaryLine,
} from '../src/cli/tables.js';
import type { CacheStats, ExplainReport, PrefetchReport, SeriesInfo } from '../src/types.js';

const D = (s: string) => Date.parse(`${s}T00:00:00Z`);

const report: PrefetchReport = {
  interval: '1d',
  providerCalls: 2,
  barsFetched: 502,
  elapsedMs: 1520,
  failed: ['NOSUCHSYMBOL'],
  symbols: [
    {
      symbol: 'AAPL', start: D('2023-01-03'), end: D('2023-12-29'), bars: 250, lookbackBars: 0, lookbackSatisfied: true,
      providerCalls: 1, source: 'provider', windowed: false,
    },
    {
      symbol: 'NEWCO', start: D('2023-06-01'), end: D('2023-12-29'), bars: 252, lookbackBars: 3, lookbackSatisfied: false,
      providerCalls: 1, source: 'mixed', windowed: false,
    },
    {
      symbol: 'NOSUCHSYMBOL', start: D('2023-01-03'), end: D('2023-12-29'), bars: 0, lookbackBars: 0, lookbackSatisfied: false,
      providerCalls: 1, source: 'provider', windowed: false,
      error: { code: 'UNKNOWN_SYMBOL', message: 'No data found,\n symbol may be delisted' },
    },
  ],
};

function stats(over: Partial<CacheStats> = {}): CacheStats {
  return {
    requests: 125,
    l1: { hits: 120, misses: 5, bytes: 4096, entries: 3, pinnedEntries: 3 },
    l2: { hits: 4, misses: 1, bytes: 20_480, series: 3, corruptBlocks: 0 },
    provider: { calls: 1, bars: 250, errors: 0, retries: 0, droppedBars: 0 },
    providerCallsSaved: 124,
    hitRate: 124 / 125,
    latency: { count: 125, p50Ms: 0.012, p99Ms: 3.4, maxMs: 9 },
    prefetch: { runs: 1, symbols: 3 },
    startedAt: 0,
    ...over,
  };
}

describe('renderTable', () => {
  it('draws a header and right-aligned numbers without colour codes', () => {
    const text = renderTable([{ header: 'name' }, { header: 'n', align: 'right' }], [['a', '1'], ['bb', '22']]);
    expect(text).not.toMatch(/\u001b\[/);
    const lines = text.split('\n');
    expect(lines.find((l) => l.includes('name'))).toMatch(/name\s*│\s+n/);
    expect(lines.find((l) => l.includes('bb'))).toMatch(/bb\s*│\s22/);
    expect(lines.find((l) => l.includes(' a '))).toMatch(/a\s*│\s+1 │/);
  });
});

describe('warm summary', () => {
  it('one row per symbol with bars, range, source, calls and status', () => {
    expect(warmRows(report)).toEqual([
      ['AAPL', '250', '2023-01-03 → 2023-12-29', 'provider', '1', 'ok'],
      ['NEWCO', '252', '2023-06-01 → 2023-12-29', 'mixed', '1', 'ok (short lookback: 3 bars)'],
      ['NOSUCHSYMBOL', '–', '–', '–', '1', 'FAILED UNKNOWN_SYMBOL'],
    ]);
  });
  it('a summary line and one failure line per failed symbol, on one line each', () => {
    expect(warmSummaryLine(report)).toBe('2/3 symbols ready (1d), 502 bars, 2 provider calls, 502 bars fetched, 1.5 s');
    expect(warmFailureLines(report)).toEqual(['NOSUCHSYMBOL: UNKNOWN_SYMBOL: No data found, symbol may be delisted']);
  });
});

describe('ls', () => {
  const series: SeriesInfo[] = [
    {
      provider: 'yahoo', symbol: 'MSFT', interval: '1d', bars: 250, bytes: 6000,
      covered: [{ start: D('2023-01-01'), end: D('2024-01-01') }], lastFetchedAt: D('2024-06-01'),
    },
    {
      provider: 'yahoo', symbol: 'AAPL', interval: '1d', bars: 300, bytes: 7000,
      covered: [{ start: D('2022-01-01'), end: D('2022-03-01') }, { start: D('2023-01-01'), end: D('2024-01-01') }],
    },
  ];
  it('sorted by symbol, covered ranges one per line', () => {
    const rows = lsRows(series, D('2024-06-02'));
    expect(rows.map((r) => r[0])).toEqual(['AAPL', 'MSFT']);
    expect(rows[0]?.[3]).toBe('2022-01-01 → 2022-02-28\n2023-01-01 → 2023-12-31');
    expect(rows[1]).toEqual(['MSFT', '1d', 'yahoo', '2023-01-01 → 2023-12-31', '250', '5.9 KiB', '24 h ago']);
    expect(rows[0]?.[6]).toBe('–');
  });
  it('always names the provider (imported files are not yahoo)', () => {
    const rows = lsRows([...series, { ...series[0]!, provider: 'file' }], 0);
    expect(rows.map((r) => `${r[0]} ${r[2]}`)).toEqual(['AAPL yahoo', 'MSFT file', 'MSFT yahoo']);
  });
  it('totals: the cache\'s one disk figure when given, else the listed series', () => {
    expect(lsSummaryLine(series)).toBe('2 series, 550 bars, 12.7 KiB on disk');
    expect(lsSummaryLine(series, 14_000)).toBe('2 series, 550 bars, 13.7 KiB on disk');
  });
  it('says how many bars are missing for null prices', () => {
    const holey = [{ ...series[0]!, holes: { pending: 80, known: 4 } }, series[1]!];
    expect(lsSummaryLine(holey)).toBe('2 series, 550 bars, 12.7 KiB on disk; 84 bars missing (null prices): 80 asked again, 4 known holes');
  });
});

describe('explain', () => {
  const warm: ExplainReport = {
    symbol: 'AAPL', interval: '1d', start: D('2024-01-02'), end: D('2024-03-28'),
    parts: [{ range: { start: D('2024-01-02'), end: D('2024-03-29') }, tier: 'l2' }],
    plannedRequests: [], missing: [],
  };
  it('a warm range: l2, nothing missing, no requests', () => {
    const text = explainText(warm, false);
    expect(text.split('\n')[0]).toBe('AAPL 1d 2024-01-02 → 2024-03-28');
    expect(text).toMatch(/2024-01-02 → 2024-03-28\s*│\s*l2 \(disk\)/);
    expect(text).toContain('missing: none');
    expect(text).toContain('provider requests: none');
  });
  it('a cold range: the missing part and the planned request', () => {
    const cold: ExplainReport = {
      ...warm,
      parts: [
        { range: { start: D('2024-01-02'), end: D('2024-02-01') }, tier: 'l1' },
        { range: { start: D('2024-02-01'), end: D('2024-03-29') }, tier: 'provider' },
      ],
      missing: [{ start: D('2024-02-01'), end: D('2024-03-29') }],
      plannedRequests: [{ start: D('2024-01-01'), end: D('2025-01-01') }],
    };
    const text = explainText(cold, false);
    expect(text).toMatch(/l1 \(memory\)/);
    expect(text).toMatch(/2024-02-01 → 2024-03-28\s*│\s*provider \(missing\)/);
    expect(text).toContain('missing: 2024-02-01 → 2024-03-28');
    expect(text).toContain('provider requests: 1\n  [2024-01-01T00:00:00.000Z, 2025-01-01T00:00:00.000Z) (2024-01-01 → 2024-12-31)');
    expect(explainText(cold, true)).toContain('--offline: a getBars would fail with OFFLINE_MISS');
    // Offline, the cache plans no requests at all: say why the missing part stays missing.
    expect(explainText({ ...cold, plannedRequests: [] }, true)).toContain(
      'provider requests: none (--offline: a getBars over the missing part fails with OFFLINE_MISS)',
    );
    expect(explainText({ ...cold, plannedRequests: [] }, false)).toContain('provider requests: none');
    expect(explainText(cold, false)).not.toMatch(/holes|stale/);
    const marked = explainText({ ...cold, holes: { pending: [D('2024-01-03')], known: [] }, stale: [{ start: D('2024-01-02'), end: D('2024-01-04') }] }, false);
    expect(marked).toContain('holes (bars sent without prices): 1 asked again after the TTL, 0 known (not asked again)');
    expect(marked).toMatch(/stale: .*2024-01-02.*refresh failed/);
    const refused = explainText({ ...cold, outOfProviderRange: { ranges: [{ start: D('2000-01-03'), end: D('2000-01-05') }], served: { start: D('2024-05-16'), end: D('2024-06-16') } } }, false);
    expect(refused).toMatch(/not served by the provider: .*2000-01-03.*it serves .*2024-05-16.*OUT_OF_PROVIDER_RANGE/);
  });
});

describe('stats', () => {
  it('a view hides the hit rate and latency when nothing was asked', () => {
    const idle = statsViewOf(stats({ requests: 0, hitRate: 0, latency: { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 } }));
    expect(idle.hitRate).toBeUndefined();
    expect(idle.latency).toEqual({ p50Ms: undefined, p99Ms: undefined });
  });
  it('side by side columns', () => {
    const text = statsTable([
      { title: 'this process', view: undefined },
      { title: 'live processes (1)', view: statsViewOf(stats()) },
    ]);
    expect(text).toMatch(/requests\s*│\s*–\s*│\s*125 │/);
    expect(text).toMatch(/hit rate\s*│\s*–\s*│\s*99\.2% │/);
    expect(text).toMatch(/L1 hits \/ misses\s*│.*120 \/ 5/);
    expect(text).toMatch(/L2 bytes \(disk\)\s*│.*20\.0 KiB/);
    expect(text).toMatch(/latency p50 \/ p99\s*│.*0\.01 ms \/ 3\.4 ms/);
  });
  it('process rows', () => {
    const rows = processRows(
      [{ state: 'live', snapshot: { pid: 42, hostname: 'h', label: 'backtest', updatedAt: 1000, stats: stats() } }],
      3000,
    );
    expect(rows).toEqual([['42', 'backtest', 'live', '125', '99.2%', '1', 'just now']]);
  });
});

describe('clear diff', () => {
  const s = (symbol: string, bars: number, covered: [string, string][], bytes = bars * 20): SeriesInfo => ({
    provider: 'yahoo', symbol, interval: '1d', bars, bytes,
    covered: covered.map(([a, b]) => ({ start: D(a), end: D(b) })),
  });
  it('removed and trimmed series; untouched ones are not listed', () => {
    const before = [s('AAPL', 250, [['2023-01-01', '2024-01-01']]), s('MSFT', 250, [['2023-01-01', '2024-01-01']]), s('SPY', 10, [['2023-01-01', '2023-01-15']])];
    const after = [s('MSFT', 125, [['2023-07-01', '2024-01-01']]), s('SPY', 10, [['2023-01-01', '2023-01-15']])];
    const cleared = diffCleared(before, after);
    expect(cleared).toEqual([
      { provider: 'yahoo', symbol: 'AAPL', interval: '1d', action: 'removed', bars: 250, bytes: 5000, ranges: [{ start: D('2023-01-01'), end: D('2024-01-01') }] },
      { provider: 'yahoo', symbol: 'MSFT', interval: '1d', action: 'trimmed', bars: 125, bytes: 2500, ranges: [{ start: D('2023-01-01'), end: D('2023-07-01') }] },
    ]);
    const text = clearedText(cleared);
    expect(text).toMatch(/AAPL\s*│\s*1d\s*│\s*removed/);
    expect(text).toMatch(/MSFT\s*│\s*1d\s*│\s*trimmed\s*│\s*2023-01-01 → 2023-06-30/);
    expect(text.split('\n').at(-1)).toBe('1 series removed, 1 series trimmed, 375 bars, 7.3 KiB freed');
  });
  it('nothing matched', () => {
    expect(clearedText(diffCleared([s('A', 1, [])], [s('A', 1, [])]))).toBe('nothing matched: no series changed');
  });
  it('subtractRanges', () => {
    const r = (a: number, b: number) => ({ start: a, end: b });
    expect(subtractRanges([r(0, 10)], [r(2, 4), r(6, 8)])).toEqual([r(0, 2), r(4, 6), r(8, 10)]);
    expect(subtractRanges([r(0, 10)], [r(0, 10)])).toEqual([]);
    expect(subtractRanges([r(0, 10), r(20, 30)], [r(5, 25)])).toEqual([r(0, 5), r(25, 30)]);
    expect(subtractRanges([r(0, 10)], [])).toEqual([r(0, 10)]);
  });
});

describe('errors → exit codes and stderr lines', () => {
  it('bad input 2, LOCKED 3, others 1', () => {
    expect(exitCodeFor(new BarcacheError(ErrorCode.INVALID_ARGUMENT, 'x'))).toBe(ExitCode.BAD_INPUT);
    expect(exitCodeFor(new BarcacheError(ErrorCode.UNSUPPORTED_INTERVAL, 'x'))).toBe(2);
    expect(exitCodeFor(new BarcacheError(ErrorCode.LOCKED, 'x'))).toBe(3);
    expect(exitCodeFor(new BarcacheError(ErrorCode.PROVIDER_FAILED, 'x'))).toBe(1);
    expect(exitCodeFor(new BarcacheError(ErrorCode.OFFLINE_MISS, 'x'))).toBe(1);
    expect(exitCodeFor(new BarcacheError(ErrorCode.ABORTED, 'x'))).toBe(130);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
  });
  it('barcache: CODE: message, one line, no stack', () => {
    const err = new BarcacheError(ErrorCode.INVALID_ARGUMENT, 'from "x" is not a date:\n use YYYY-MM-DD');
    expect(formatError(err)).toBe('barcache: INVALID_ARGUMENT: from "x" is not a date: use YYYY-MM-DD');
    expect(formatError(new Error('boom'))).toBe('barcache: boom');
    expect(formatError(err, true)).toContain('\n');
  });
  it('LOCKED names the holder pid even when the message does not', () => {
    const a = new BarcacheError(ErrorCode.LOCKED, 'cache dir /x is in use', { details: { holder: { pid: 4242, label: 'backtest' } } });
    expect(formatError(a)).toBe('barcache: LOCKED: cache dir /x is in use (held by pid 4242)');
    const b = new BarcacheError(ErrorCode.LOCKED, 'cache dir /x is in use by pid 4242', { details: { holder: 4242 } });
    expect(formatError(b)).toBe('barcache: LOCKED: cache dir /x is in use by pid 4242');
    expect(holderPid({ holder: '17' })).toBe(17);
    expect(holderPid({ pid: 9 })).toBe(9);
    expect(holderPid({})).toBeUndefined();
  });
});
