import type { Bar, BarProvider } from '@barcache/cache-core';
import type { BenchSource } from './bench-source.js';
import { fetchInclusive } from './fetch-inclusive.js';

/** (a) Every request goes to the provider. */
export class NoCacheSource implements BenchSource {
  readonly id = 'no-cache';
  readonly label = 'no cache';
  constructor(private readonly provider: BarProvider) {}

  getBars(symbol: string, start: number, end: number): Promise<Bar[]> {
    return fetchInclusive(this.provider, symbol, start, end);
  }
}
