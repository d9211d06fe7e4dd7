/**
 * One run of the example, in its own process (main.ts forks it twice: cold, then warm on the same
 * cache dir): open the cache, run the Pine indicator on each symbol through Barcache, report back.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openCache, YahooProvider, type BarProvider } from '@barcache/cache-core';
import { preparePineSession } from '@barcache/backtest-adapter/pinets';
import { SYNTHETIC_PROVIDER_NAME, type ExampleConfig, type ExampleRun, type SymbolPlots } from './example-config.js';

const SCRIPT = readFileSync(new URL('./relative-strength.pine', import.meta.url), 'utf8');

function providerFor(config: ExampleConfig): BarProvider {
  if (!config.baseUrl) return new YahooProvider();
  // The real YahooProvider pointed at the loopback server, under a name of its own.
  const yahoo = new YahooProvider({ baseUrl: config.baseUrl });
  return { name: SYNTHETIC_PROVIDER_NAME, limits: yahoo.limits, fetchBars: (req) => yahoo.fetchBars(req) };
}

type Plots = Record<string, { data: { value: unknown }[] }>;

async function runOnce(config: ExampleConfig, label: string): Promise<ExampleRun> {
  const t0 = performance.now();
  const cache = await openCache({ dir: config.dir, provider: providerFor(config), processLabel: `pinets example (${label})` });
  try {
    const symbols: SymbolPlots[] = [];
    const sources: string[] = [];
    let marketDataCalls = 0;
    let runRequests = 0;
    let runL1Hits = 0;
    for (const symbol of config.symbols) {
      // One planned pass: the chart and both request.security series of the script.
      const session = await preparePineSession(cache, { symbol, timeframe: 'D', start: config.start, end: config.end, script: SCRIPT });
      try {
        for (const r of session.reports) for (const s of r.symbols) sources.push(`${s.symbol} ${r.interval} ← ${s.source}`);
        const before = cache.stats();
        const ctx = await session.run();
        const after = cache.stats();
        runRequests += after.requests - before.requests;
        runL1Hits += after.l1.hits - before.l1.hits;
        marketDataCalls += session.provider.marketDataCalls;
        const plots = ctx.plots as Plots;
        const last: Record<string, number | null> = {};
        for (const [name, plot] of Object.entries(plots)) {
          if (name.startsWith('__')) continue;
          const v = plot.data.at(-1)?.value;
          last[name] = typeof v === 'number' && Number.isFinite(v) ? v : null;
        }
        symbols.push({ symbol, bars: plots['RSI(14)']?.data.length ?? 0, last });
      } finally {
        session.release();
      }
    }
    const s = cache.stats();
    return {
      label,
      symbols,
      providerCalls: s.provider.calls,
      prefetchSources: sources,
      marketDataCalls,
      runRequests,
      runL1Hits,
      l1Bytes: s.l1.bytes,
      wallMs: performance.now() - t0,
    };
  } finally {
    await cache.close();
  }
}

process.once('message', (msg: { config: ExampleConfig; label: string }) => {
  runOnce(msg.config, msg.label).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (err: unknown) => process.send!({ ok: false, error: err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err) }, () => process.exit(1)),
  );
});
