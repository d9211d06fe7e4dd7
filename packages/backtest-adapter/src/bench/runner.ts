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
  /** Open (Barcache: openCache) through close (Barcache: release + cache.close), ms. */
  wallMs: number;
  /** Of wallMs: opening the source (Barcache: openCache), ms. */
  openMs: number;
  /** Of wallMs: closing it (Barcache: release + cache.close), ms. */
  closeMs: number;
  /** Bars returned to the engine and a sum of their closes: equal across sources when all answer alike. */
  barsReturned: number;
  checksum: number;
}

/** Every request of the workload, step by step (requests of one symbol in order, symbols concurrently). */
async function replay(source: BenchSource, workload: Workload): Promise<{ barsReturned: number; checksum: number }> {
  let barsReturned = 0;
  let checksum = 0;
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
  return { barsReturned, checksum };
}

/**
 * Replays a workload against a fresh source made by `open`; provider calls and bar-days are counted
 * at the shared provider. The wall time runs from `open` (Barcache: openCache) through
 * `source.close()` (Barcache: release + cache.close), so every source pays its own setup and
 * teardown (the baselines have none beyond construction).
 */
export async function runWorkload(open: () => Promise<BenchSource>, workload: Workload, provider: CountingProvider): Promise<WorkloadResult> {
  provider.reset();
  const t0 = performance.now();
  const source = await open();
  const opened = performance.now();
  let answers: { barsReturned: number; checksum: number };
  try {
    await source.prepare?.(workload);
    answers = await replay(source, workload);
  } catch (err) {
    await source.close?.().catch(() => undefined);
    throw err;
  }
  const closing = performance.now();
  await source.close?.();
  const done = performance.now();
  return {
    source: source.id,
    label: source.label,
    workload: workload.id,
    requests: workload.requests,
    providerCalls: provider.calls,
    barDays: provider.bars,
    wallMs: done - t0,
    openMs: opened - t0,
    closeMs: done - closing,
    barsReturned: answers.barsReturned,
    checksum: Math.round(answers.checksum * 100) / 100,
  };
}
