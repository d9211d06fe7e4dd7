import { describe, expect, it } from 'vitest';
import { BarcacheError } from '@barcache/cache-core';
import type { PrefetchReport } from '@barcache/cache-core';
import { failedSymbols, prepareFailedError, wrapPrefetchError } from '../src/prepare-failure.js';
import { longestLookback, requireLookback, requireRange, requireSymbols } from '../src/validate.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as BarcacheError).code;
  }
  return 'no error';
};

describe('input checks', () => {
  it('rejects bad symbols, ranges and lookbacks with INVALID_ARGUMENT', () => {
    expect(code(() => requireSymbols([]))).toBe('INVALID_ARGUMENT');
    expect(code(() => requireSymbols(['AAPL', '']))).toBe('INVALID_ARGUMENT');
    expect(requireSymbols(['aapl', 'AAPL', 'spy'])).toEqual(['AAPL', 'SPY']);
    expect(code(() => requireRange('2024-02-01', '2024-01-01'))).toBe('INVALID_ARGUMENT');
    expect(code(() => requireRange(undefined, '2024-01-01'))).toBe('INVALID_ARGUMENT');
    expect(requireRange('2024-01-01', '2024-01-01')).toEqual({ start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 1) });
    for (const bad of [0, -3, 2.5, Number.NaN, '30', undefined]) expect(code(() => requireLookback(bad, 'lookbackPeriod'))).toBe('INVALID_ARGUMENT');
    expect(longestLookback([30, 90, 200], 'lookbackDays')).toBe(200);
    expect(longestLookback(undefined, 'lookbackDays')).toBeUndefined();
    expect(code(() => longestLookback([30, 0], 'lookbackDays'))).toBe('INVALID_ARGUMENT');
  });
});

describe('prepare failures', () => {
  const asked = { symbols: ['AAPL', 'MSFT', 'NVDA', 'TSLA'], interval: '1d' as const, start: Date.UTC(2024, 0, 2), end: Date.UTC(2024, 5, 28) };
  const lookbackStart = Date.UTC(2023, 10, 1);
  const ok = { lookbackBars: 30, lookbackSatisfied: true, providerCalls: 1, source: 'provider' as const, windowed: false };
  const report: PrefetchReport = {
    interval: '1d',
    providerCalls: 4,
    barsFetched: 240,
    elapsedMs: 5,
    failed: ['MSFT', 'NVDA'],
    symbols: [
      // Succeeded: never reported.
      { ...ok, symbol: 'AAPL', start: lookbackStart, end: asked.end, bars: 120 },
      // Failed with an error: its own code and message, and the range it needed (lookback included).
      { ...ok, symbol: 'MSFT', start: lookbackStart, end: asked.end, bars: 0, error: { code: 'UNKNOWN_SYMBOL', message: 'no such symbol' } },
      // Listed as failed without an error, and no range planned: PROVIDER_FAILED over the asked range.
      { ...ok, symbol: 'NVDA', start: Number.NaN, end: Number.NaN, bars: 0 },
      // An error the failed list missed still counts.
      { ...ok, symbol: 'TSLA', start: lookbackStart, end: asked.end, bars: 0, error: { code: 'RATE_LIMITED', message: '429' } },
    ],
  };

  it('reports every failed symbol (listed or with an error) with the range it needed, and only those', () => {
    const failed = failedSymbols(report, asked);
    expect(failed).toEqual([
      { symbol: 'MSFT', interval: '1d', start: lookbackStart, end: asked.end, code: 'UNKNOWN_SYMBOL', message: 'no such symbol' },
      { symbol: 'NVDA', interval: '1d', start: asked.start, end: asked.end, code: 'PROVIDER_FAILED', message: 'failed' },
      { symbol: 'TSLA', interval: '1d', start: lookbackStart, end: asked.end, code: 'RATE_LIMITED', message: '429' },
    ]);
    expect(failedSymbols({ ...report, failed: [], symbols: [report.symbols[0]!] }, asked)).toEqual([]);
  });

  it("keeps the first failure's code, names each symbol and range in one message, and falls back to PROVIDER_FAILED for unknown codes", () => {
    const failed = failedSymbols(report, asked);
    const err = prepareFailedError(failed);
    expect(err.code).toBe('UNKNOWN_SYMBOL');
    expect(err.message).toBe(
      'prepare could not load 3 symbol(s): MSFT 1d 2023-11-01..2024-06-28 (UNKNOWN_SYMBOL: no such symbol); ' +
        'NVDA 1d 2024-01-02..2024-06-28 (PROVIDER_FAILED: failed); TSLA 1d 2023-11-01..2024-06-28 (RATE_LIMITED: 429). ' +
        'Bars cached before the failure are kept.',
    );
    expect(err.details.failed).toEqual(failed);
    expect(err.details.failed).not.toBe(failed);
    expect(prepareFailedError([{ ...failed[0]!, code: 'HTTP_418' }]).code).toBe('PROVIDER_FAILED');
    expect(prepareFailedError(failed.slice(2)).code).toBe('RATE_LIMITED');
  });

  it('wraps an error prefetch threw, but passes bad-input errors through', () => {
    const cause = new BarcacheError('RATE_LIMITED', '429');
    const wrapped = wrapPrefetchError(cause, asked) as BarcacheError;
    expect(wrapped.code).toBe('RATE_LIMITED');
    expect(wrapped.message).toMatch(/AAPL 1d 2024-01-02\.\.2024-06-28.*MSFT/);
    expect(wrapped.cause).toBe(cause);
    expect((wrapped.details.failed as { symbol: string; code: string }[]).map((f) => `${f.symbol}:${f.code}`)).toEqual(
      asked.symbols.map((sym) => `${sym}:RATE_LIMITED`),
    );
    const plain = new Error('boom');
    expect(wrapPrefetchError(plain, asked)).toBe(plain);
    const bad = new BarcacheError('INVALID_ARGUMENT', 'x');
    expect(wrapPrefetchError(bad, asked)).toBe(bad);
  });
});
