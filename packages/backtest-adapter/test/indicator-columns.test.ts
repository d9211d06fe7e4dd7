/**
 * An indicator library reading Barcache's zero-copy columnar window directly: technicalindicators'
 * SMA takes any array-like of numbers, so `window.close` (a Float64Array view of the resident
 * series) goes in as it is, with no Bar objects and no copy.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SMA } from 'technicalindicators';
import { useTempDir } from '@barcache/test-support';
import { fetchBarsDirect } from './direct-load.js';
import { cachesOnYahooServer } from './fixture.js';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const tmp = useTempDir('barcache-indicator-', { beforeEach, afterEach });
const fx = cachesOnYahooServer();

/** The plain definition, for the check: the mean of each `period` closes ending at i. */
function sma(closes: readonly number[], period: number): number[] {
  const out: number[] = [];
  for (let i = period - 1; i < closes.length; i++) {
    let sum = 0;
    for (let k = i - period + 1; k <= i; k++) sum += closes[k]!;
    out.push(sum / period);
  }
  return out;
}

describe('an indicator library on peekColumns', () => {
  it('technicalindicators SMA reads window.close directly and agrees with the bars the provider sent', async () => {
    const cache = await fx.cacheAt(tmp.path);
    await using session = await cache.prefetch({ symbols: ['MSFT'], interval: '1d', start: '2024-01-02', end: '2024-06-28' });
    expect(session.report.failed).toEqual([]);
    const window = cache.peekColumns({ symbol: 'MSFT', interval: '1d', start: '2024-03-01', end: '2024-05-31' })!;
    expect(window).toBeDefined();
    expect(window.close).toBeInstanceOf(Float64Array);

    const truth = (await fetchBarsDirect(fx.server.url, 'MSFT', day('2024-03-01'), day('2024-06-01'))).filter((b) => b.time <= day('2024-05-31'));
    expect(Array.from(window.time)).toEqual(truth.map((b) => b.time));
    const closes = truth.map((b) => b.close);

    const fromLibrary = SMA.calculate({ period: 10, values: window.close as unknown as number[] });
    const expected = sma(closes, 10);
    expect(fromLibrary).toHaveLength(expected.length);
    // technicalindicators rounds nothing for SMA; allow float summation order differences only.
    fromLibrary.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 9));

    // Zero copy: a second window over the same series is a view of the same memory.
    const later = cache.peekColumns({ symbol: 'MSFT', interval: '1d', start: '2024-04-01', end: '2024-04-30' })!;
    expect(later.close.buffer).toBe(window.close.buffer);
  });
});
