import { setTimeout as sleep } from 'node:timers/promises';
import type { BarProvider, ProviderRequest, ProviderResult } from '@barcache/cache-core';
import { syntheticDailyBars } from '@barcache/test-support';

/**
 * An in-process provider for the large workload: the same synthetic bars the loopback server
 * serves, after `latencyMs`, at most `concurrency` requests in flight. It stands in for
 * YahooProvider → loopback server when a baseline would make ~100 000 calls: yahoo-finance2 spends
 * milliseconds of CPU per call, which would turn the comparison into a CPU benchmark.
 */
export class SimulatedProvider implements BarProvider {
  readonly name = 'simulated';
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(
    private readonly latencyMs: number,
    private readonly concurrency: number,
  ) {}

  async fetchBars(req: ProviderRequest): Promise<ProviderResult> {
    if (req.interval !== '1d') throw new TypeError('SimulatedProvider serves daily bars only');
    if (this.#inFlight >= this.concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#inFlight++;
    try {
      await sleep(this.latencyMs);
      return { bars: syntheticDailyBars({ symbol: req.symbol, start: req.start, end: req.end }) };
    } finally {
      this.#inFlight--;
      this.#waiting.shift()?.();
    }
  }
}
