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
  const asked = { symbols: ['AAPL', 'MSFT'], interval: '1d' as const, start: Date.UTC(2024, 0, 2), end: Date.UTC(2024, 5, 28) };
  const report: PrefetchReport = {
    interval: '1d',
    providerCalls: 2,
    barsFetched: 120,
    elapsedMs: 5,
    failed: ['MSFT'],
    symbols: [
      { symbol: 'AAPL', start: Date.UTC(2023, 10, 1), end: asked.end, bars: 120, lookbackBars: 30, lookbackSatisfied: true, providerCalls: 1, source: 'provider', windowed: false },
      {
        symbol: 'MSFT', start: Date.UTC(2023, 10, 1), end: asked.end, bars: 0, lookbackBars: 0, lookbackSatisfied: false, providerCalls: 1,
        source: 'provider', windowed: false, error: { code: 'PROVIDER_FAILED', message: 'HTTP 503' },
      },
    ],
  };

  it('names each failed symbol and its range, keeping the code', () => {
    const failed = failedSymbols(report, asked);
    expect(failed.map((f) => f.symbol)).toEqual(['MSFT']);
    const err = prepareFailedError(failed);
    expect(err.code).toBe('PROVIDER_FAILED');
    expect(err.message).toContain('MSFT 1d 2023-11-01..2024-06-28');
    expect(err.message).toContain('HTTP 503');
    expect(err.details.failed).toHaveLength(1);
  });

  it('wraps an error prefetch threw, but passes bad-input errors through', () => {
    const cause = new BarcacheError('RATE_LIMITED', '429');
    const wrapped = wrapPrefetchError(cause, asked) as BarcacheError;
    expect(wrapped.code).toBe('RATE_LIMITED');
    expect(wrapped.message).toMatch(/AAPL 1d 2024-01-02\.\.2024-06-28.*MSFT/);
    expect(wrapped.cause).toBe(cause);
    const bad = new BarcacheError('INVALID_ARGUMENT', 'x');
    expect(wrapPrefetchError(bad, asked)).toBe(bad);
  });
});
