import type { Bar, BarProvider } from '@barcache/cache-core';

/**
 * One provider call for the inclusive daily range [start, end]: what hand-written code does with a
 * chart() call. ProviderRequest is half-open, so the end is the next day.
 */
export async function fetchInclusive(provider: BarProvider, symbol: string, start: number, end: number): Promise<Bar[]> {
  const res = await provider.fetchBars({ symbol, interval: '1d', start, end: end + 86_400_000 });
  return res.bars.filter((b) => b.time >= start && b.time <= end);
}
