import type { BarProvider, ProviderRequest, ProviderResult } from '@barcache/cache-core';

/** Wraps the provider every source shares: counts calls and bars (bar-days for daily data). */
export class CountingProvider implements BarProvider {
  calls = 0;
  bars = 0;
  constructor(private readonly inner: BarProvider) {}

  get name(): string {
    return this.inner.name;
  }

  get limits() {
    return this.inner.limits;
  }

  async fetchBars(req: ProviderRequest): Promise<ProviderResult> {
    this.calls++;
    const res = await this.inner.fetchBars(req);
    this.bars += res.bars.length;
    return res;
  }

  reset(): void {
    this.calls = 0;
    this.bars = 0;
  }
}
