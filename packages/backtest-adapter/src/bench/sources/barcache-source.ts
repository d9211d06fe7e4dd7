import type { Bar, BarCache } from '@barcache/cache-core';
import { createDataHook, type DataHook } from '../../data-hook.js';
import type { Workload } from '../workloads.js';
import type { BenchSource } from './bench-source.js';

/** (d) Barcache: one prefetch for the whole backtest, then getBars from memory. */
export class BarcacheSource implements BenchSource {
  readonly id = 'barcache';
  readonly label = 'Barcache (prefetch + getBars)';
  readonly #hook: DataHook;
  constructor(readonly cache: BarCache) {
    this.#hook = createDataHook(cache, { onEmpty: 'empty' });
  }

  async prepare(w: Workload): Promise<void> {
    await this.#hook.prepare({ symbols: w.symbols, start: w.start, end: w.end, lookbackDays: w.lookbackDays });
  }

  getBars(symbol: string, start: number, end: number): Promise<Bar[]> {
    return this.#hook.getBars(symbol, start, end);
  }

  async close(): Promise<void> {
    this.#hook.release();
    await this.cache.close();
  }
}
