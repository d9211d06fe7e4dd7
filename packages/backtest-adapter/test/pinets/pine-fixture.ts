/**
 * Shared by the PineTS tests and their child process: the script under test, the chart, and a run
 * through the plugin summarised (plots, stats deltas) as plain JSON.
 */
import { openCache, YahooProvider } from '@barcache/cache-core';
import { preparePineSession } from '@barcache/backtest-adapter/pinets';

/** SMA(10/30) cross on the chart, SPY's daily close and the chart symbol's weekly SMA(4) through request.security. */
export const SCRIPT = `//@version=5
indicator("SMA cross + SPY + weekly", overlay=true)
fast = ta.sma(close, 10)
slow = ta.sma(close, 30)
crossUp = ta.crossover(fast, slow)
spy = request.security("SPY", "D", close)
weekly = request.security(syminfo.tickerid, "W", ta.sma(close, 4))
plot(fast, "fast")
plot(slow, "slow")
plot(crossUp ? 1 : 0, "cross")
plot(spy, "spy")
plot(weekly, "weekly")
`;

export const CHART = { symbol: 'AAPL', timeframe: 'D', start: '2023-01-03', end: '2024-12-31' } as const;
export const PLOTS = ['fast', 'slow', 'cross', 'spy', 'weekly'] as const;

export type PlotPoints = { time: number; value: number }[];
export type Plots = Record<string, PlotPoints>;

/** The named plots of a PineTS context as `{ time, value }` lists. */
export function plotsOf(ctx: { plots: Record<string, { data: { time: number; value: unknown }[] }> }): Plots {
  const out: Plots = {};
  for (const name of PLOTS) out[name] = (ctx.plots[name]?.data ?? []).map((p) => ({ time: p.time, value: p.value as number }));
  return out;
}

export interface PluginRun {
  plots: Plots;
  marketDataCalls: number;
  /** cache.stats() deltas over `run()` (after the prefetch). */
  run: { requests: number; l1Hits: number; l2Hits: number; misses: number; providerCalls: number };
  /** Provider calls over the whole session (prefetch included). */
  providerCalls: number;
  sources: string[];
}

/** Opens a cache at `dir` on the loopback server, runs SCRIPT through the plugin, closes it. */
export async function runThroughPlugin(dir: string, baseUrl: string): Promise<PluginRun> {
  const cache = await openCache({ dir, provider: new YahooProvider({ baseUrl }), statsSnapshots: false });
  try {
    const session = await preparePineSession(cache, { ...CHART, script: SCRIPT });
    try {
      const before = cache.stats();
      const ctx = await session.run();
      const after = cache.stats();
      return {
        plots: plotsOf(ctx as never),
        marketDataCalls: session.provider.marketDataCalls,
        run: {
          requests: after.requests - before.requests,
          l1Hits: after.l1.hits - before.l1.hits,
          l2Hits: after.l2.hits - before.l2.hits,
          misses: after.l1.misses - before.l1.misses,
          providerCalls: after.provider.calls - before.provider.calls,
        },
        providerCalls: after.provider.calls,
        sources: session.reports.flatMap((r) => r.symbols.map((s) => `${s.symbol} ${r.interval} ${s.source}`)),
      };
    } finally {
      session.release();
    }
  } finally {
    await cache.close();
  }
}
