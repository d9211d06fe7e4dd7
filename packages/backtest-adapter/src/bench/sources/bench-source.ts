import type { Bar } from '@barcache/cache-core';
import type { Workload } from '../workloads.js';

/**
 * One way of answering the engine's requests: the thing each benchmark row measures. The runner
 * times a source from its creation (Barcache: openCache) through `close()`.
 */
export interface BenchSource {
  readonly id: string;
  readonly label: string;
  /** Called once before the workload (Barcache prefetches here; the baselines do nothing). */
  prepare?(workload: Workload): Promise<void>;
  /** Bars with start <= time <= end, ascending. */
  getBars(symbol: string, start: number, end: number): Promise<Bar[]>;
  /** Called once after the workload, inside the timed span (Barcache: release + cache.close). */
  close?(): Promise<void>;
}
