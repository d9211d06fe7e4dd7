import { performance } from 'node:perf_hooks';
import type { CountingProvider } from './sources/counting-provider.js';
import type { BenchSource } from './sources/bench-source.js';
import type { Workload } from './workloads.js';

export interface WorkloadResult {
  source: string;
  label: string;
  workload: string;
  requests: number;
  /** Provider calls during the run (prefetch included). */
  providerCalls: number;
  /** Bars the provider sent (one bar = one bar-day for daily data). */
  barDays: number;
  wallMs: number;
  /** Bars returned to the engine and a sum of their closes: equal across sources when all answer alike. */
  barsReturned: number;
  checksum: number;
}

/** Replays a workload against a source; provider calls and bar-days are counted at the shared provider. */
export async function runWorkload(source: BenchSource, workload: Workload, provider: CountingProvider): Promise<WorkloadResult> {
  provider.reset();
  let barsReturned = 0;
  let checksum = 0;
  const t0 = performance.now();
  await source.prepare?.(workload);
  for (const step of workload.steps) {
    const bySymbol = new Map<string, typeof step>();
    for (const r of step) {
      const list = bySymbol.get(r.symbol);
      if (list) list.push(r);
      else bySymbol.set(r.symbol, [r]);
    }
    await Promise.all(
      [...bySymbol.values()].map(async (reqs) => {
        for (const r of reqs) {
          const bars = await source.getBars(r.symbol, r.start, r.end);
          barsReturned += bars.length;
          for (const b of bars) checksum += b.close;
        }
      }),
    );
  }
  const wallMs = performance.now() - t0;
  return {
    source: source.id,
    label: source.label,
    workload: workload.id,
    requests: workload.requests,
    providerCalls: provider.calls,
    barDays: provider.bars,
    wallMs,
    barsReturned,
    checksum: Math.round(checksum * 100) / 100,
  };
}
