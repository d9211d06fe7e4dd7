import type { Bar, BarProvider } from '@barcache/cache-core';
import type { BenchSource } from './bench-source.js';
import { fetchInclusive } from './fetch-inclusive.js';

/** (b) What most code writes: a Map keyed by symbol+start+end (in-flight requests shared too). */
export class ExactMemoSource implements BenchSource {
  readonly id = 'exact-memo';
  readonly label = 'exact-key memo';
  readonly #memo = new Map<string, Promise<Bar[]>>();
  constructor(private readonly provider: BarProvider) {}

  getBars(symbol: string, start: number, end: number): Promise<Bar[]> {
    const key = `${symbol}|${start}|${end}`;
    let hit = this.#memo.get(key);
    if (!hit) {
      hit = fetchInclusive(this.provider, symbol, start, end);
      hit.catch(() => this.#memo.delete(key));
      this.#memo.set(key, hit);
    }
    return hit;
  }
}
