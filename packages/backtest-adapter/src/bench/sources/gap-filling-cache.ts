import type { Bar, BarProvider } from '@barcache/cache-core';
import type { BenchSource } from './bench-source.js';
import { fetchInclusive } from './fetch-inclusive.js';
import { DAY_MS as D } from '@barcache/cache-core';


interface SeriesState {
  bars: Map<number, Bar>;
  /** Calendar days some fetch covered (a holiday or weekend inside a fetched span is covered). */
  covered: Set<number>;
  /** Serialises gap checks of one symbol so concurrent requests do not fetch the same gap twice. */
  tail: Promise<unknown>;
}

const isWeekday = (t: number) => {
  const dow = new Date(t).getUTCDay();
  return dow !== 0 && dow !== 6;
};

/**
 * (c) The seed analysis's proposal, written as a decent engineer would: bars stored per day in
 * memory, and on every request a gap check over its days (weekends are known to hold no bars;
 * holidays are not known until a fetch covers them). Each run of missing days costs one provider
 * call for exactly that run. No prefetch: it learns the workload one request at a time.
 */
export class GapFillingCacheSource implements BenchSource {
  readonly id = 'gap-filling';
  readonly label = 'gap-filling cache (no prefetch)';
  readonly #series = new Map<string, SeriesState>();
  constructor(private readonly provider: BarProvider) {}

  getBars(symbol: string, start: number, end: number): Promise<Bar[]> {
    let s = this.#series.get(symbol);
    if (!s) {
      s = { bars: new Map(), covered: new Set(), tail: Promise.resolve() };
      this.#series.set(symbol, s);
    }
    const state = s;
    const run = state.tail.then(() => this.#serve(state, symbol, start, end));
    state.tail = run.catch(() => undefined);
    return run;
  }

  async #serve(s: SeriesState, symbol: string, start: number, end: number): Promise<Bar[]> {
    const first = Math.floor(start / D) * D;
    // Runs of consecutive missing weekdays (a weekend does not break a run; a covered day does).
    const runs: [number, number][] = [];
    let open: [number, number] | undefined;
    for (let t = first; t <= end; t += D) {
      if (s.covered.has(t)) {
        open = undefined;
        continue;
      }
      if (!isWeekday(t)) continue;
      if (open) open[1] = t;
      else runs.push((open = [t, t]));
    }
    for (const [from, to] of runs) {
      const bars = await fetchInclusive(this.provider, symbol, from, to);
      for (const b of bars) s.bars.set(b.time, b);
      for (let t = from; t <= to; t += D) s.covered.add(t);
    }
    const out: Bar[] = [];
    for (let t = first; t <= end; t += D) {
      const b = s.bars.get(t);
      if (b && b.time >= start) out.push(b);
    }
    return out;
  }
}
