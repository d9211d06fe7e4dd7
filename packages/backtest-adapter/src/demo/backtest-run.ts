/**
 * One demo run, in its own process (the parent forks it twice: cold, then warm): open the cache,
 * prepare the session, run grademark on each symbol, report figures to the parent over IPC.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { backtest } from 'grademark';
import { FileProvider, openCache, YahooProvider, type BarProvider } from '@barcache/cache-core';
import { prepareSession } from '../grademark/index.js';
import { SYNTHETIC_PROVIDER_NAME, type DemoConfig, type RunResult, type SymbolResult } from './demo-config.js';
import { smaCrossoverWithMarketFilter } from './strategy.js';

function providerFor(config: DemoConfig): BarProvider {
  if (!config.synthetic || !config.dataDir) return new YahooProvider();
  // The sample CSV files, through the same cache, ledger and prefetch as Yahoo, under a name of their own.
  return new FileProvider({ path: config.dataDir, name: SYNTHETIC_PROVIDER_NAME });
}

export async function runDemoBacktest(config: DemoConfig, label: string): Promise<RunResult> {
  const t0 = performance.now();
  const cache = await openCache({ dir: config.dir, provider: providerFor(config), processLabel: `barcache demo (${label})` });
  try {
    const session = await prepareSession(cache, {
      symbols: [...config.symbols, config.market],
      start: config.start,
      end: config.end,
      lookbackPeriod: config.lookbackPeriod,
    });
    const digest = createHash('sha256');
    const symbols: SymbolResult[] = [];
    for (const symbol of config.symbols) {
      const series = await session.series(symbol);
      const trades = backtest(smaCrossoverWithMarketFilter(session.lookup, { slow: config.lookbackPeriod, market: config.market }), series);
      digest.update(JSON.stringify(trades));
      symbols.push({
        symbol,
        bars: series.count(),
        trades: trades.length,
        wins: trades.filter((t) => t.profit > 0).length,
        growth: trades.reduce((g, t) => g * t.growth, 1),
      });
    }
    const wallMs = performance.now() - t0;
    session.release();
    const s = cache.stats();
    const sources: Record<string, number> = {};
    const seriesBars: Record<string, number> = {};
    for (const r of session.report.symbols) {
      sources[r.source] = (sources[r.source] ?? 0) + 1;
      seriesBars[r.source] = (seriesBars[r.source] ?? 0) + r.bars;
    }
    return {
      label,
      wallMs,
      requests: s.requests,
      l1Hits: s.l1.hits,
      l2Hits: s.l2.hits,
      misses: s.requests - s.l1.hits - s.l2.hits,
      providerCalls: s.provider.calls,
      providerBars: s.provider.bars,
      prefetchSources: sources,
      seriesBarsBySource: seriesBars,
      prefetchProviderCalls: session.report.providerCalls,
      // The traded symbols and the market series: a no-cache version loads each once per run.
      seriesLoads: session.report.symbols.length,
      marketReads: session.lookup.reads,
      symbols,
      tradesDigest: digest.digest('hex'),
    };
  } finally {
    await cache.close();
  }
}

// Entry point when forked by main.ts: the config arrives over IPC, the result goes back.
if (process.send) {
  process.once('message', (msg: { config: DemoConfig; label: string }) => {
    runDemoBacktest(msg.config, msg.label).then(
      (result) => process.send!({ ok: true, result }, () => process.exit(0)),
      (err: unknown) => {
        const e = err as { code?: string; message?: string };
        process.send!({ ok: false, error: `${e.code ?? 'ERROR'}: ${e.message ?? String(err)}` }, () => process.exit(1));
      },
    );
  });
}
