import type { Bar } from '@barcache/cache-core';
import type { Workload } from '../workloads.js';

/** One way of answering the engine's requests: the thing each benchmark row measures. */
export interface BenchSource {
  readonly id: string;
  readonly label: string;
  /** Called once before the workload (Barcache prefetches here; the baselines do nothing). */
  prepare?(workload: Workload): Promise<void>;
  /** Bars with start <= time <= end, ascending. */
  getBars(symbol: string, start: number, end: number): Promise<Bar[]>;
  close?(): Promise<void>;
}
