import Table from 'cli-table3';
import type { DemoConfig, RunResult } from './demo-config.js';

const n = (x: number) => x.toLocaleString('en-US');
const pct = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(part === whole || part === 0 ? 0 : 1)}%`);
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;

function prefetchLine(r: RunResult): string {
  const where = Object.entries(r.prefetchSources)
    .map(([src, count]) => `${count} ← ${src === 'l2' ? 'L2 disk' : src === 'l1' ? 'L1 memory' : src}`)
    .join(', ');
  return `${where} (${n(r.prefetchProviderCalls)} calls)`;
}

/** Where the session's series came from, by bars (the prefetch report's per-symbol source). */
function seriesSourceLine(r: RunResult): string {
  const by = r.seriesBarsBySource;
  const total = Object.values(by).reduce((a, b) => a + b, 0);
  const line = `${pct(by.l1 ?? 0, total)} / ${pct(by.l2 ?? 0, total)} / ${pct(by.provider ?? 0, total)}`;
  // 'mixed': part disk, part provider; the report does not split its bars.
  return by.mixed ? `${line} (+ ${pct(by.mixed, total)} mixed L2+provider)` : line;
}

/** The cache's own hit rate over what the backtest asked after prefetch (getBars series + lookup reads). */
function hitRateLine(r: RunResult): string {
  return `${pct(r.l1Hits, r.requests)} / ${pct(r.l2Hits, r.requests)} / ${pct(r.misses, r.requests)} of ${n(r.requests)}`;
}

function tradesLine(r: RunResult): string {
  const trades = r.symbols.reduce((a, s) => a + s.trades, 0);
  const wins = r.symbols.reduce((a, s) => a + s.wins, 0);
  const meanReturn = (100 * r.symbols.reduce((a, s) => a + (s.growth - 1), 0)) / Math.max(1, r.symbols.length);
  return `${trades} trades, ${pct(wins, trades)} won, ${signed(meanReturn)}/symbol`;
}

/**
 * The demo's one table: without cache (counted) | cold run | warm run in a new process, then the
 * headline comparison. grademark's rules are synchronous, so a backtest without a cache loads every
 * series (the traded symbols and the market series) once, up front, every run: one provider call per
 * series per run. Its market-filter reads then come from that loaded array, as ours come from the
 * session in memory.
 */
export function formatDemoTable(config: DemoConfig, cold: RunResult, warm: RunResult): string {
  const title =
    `grademark SMA(10/${config.lookbackPeriod}) crossover + ${config.market} market filter · ${config.symbols.join(' ')} · ` +
    `${config.start} → ${config.end} · daily · ${config.synthetic ? 'SYNTHETIC DATA (local CSV files, FileProvider)' : 'Yahoo Finance'}`;
  const table = new Table({
    head: ['', 'no cache (counted)', 'cold run', 'warm run, new process'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  const same = cold.tradesDigest === warm.tradesDigest;
  const series = cold.seriesLoads;
  const loaded = `${series} (${config.symbols.length} + ${config.market})`;
  table.push(
    ['series loaded (symbols + market)', loaded, loaded, loaded],
    ['provider calls', `${n(series)}, every run (1 per series)`, n(cold.providerCalls), n(warm.providerCalls)],
    [`${config.market} market-filter reads (synchronous)`, `${n(cold.marketReads)}, from the loaded array`, `${n(cold.marketReads)}, session memory`, `${n(warm.marketReads)}, session memory`],
    ['series came from L1 / L2 / provider (bars)', '0% / 0% / 100%', seriesSourceLine(cold), seriesSourceLine(warm)],
    ['prefetch, one planned pass', '–', prefetchLine(cold), prefetchLine(warm)],
    ['getBars hit rate after prefetch, L1 / L2 / miss', '–', hitRateLine(cold), hitRateLine(warm)],
    ['wall time, open cache → trades', '–', ms(cold.wallMs), ms(warm.wallMs)],
    ['wall time, whole process', '–', ms(cold.processMs ?? 0), ms(warm.processMs ?? 0)],
    ['trades, P&L', 'same backtest', tradesLine(cold), tradesLine(warm)],
    ['trades identical to cold run', '–', '–', same ? 'yes' : 'NO'],
  );
  const traded = config.symbols.length;
  const requests = traded + cold.marketReads;
  const notes = [
    `Provider calls: without a cache ${n(series)} every run; with Barcache ${n(cold.providerCalls)} cold, ${n(warm.providerCalls)} warm (new process).`,
    `getBars hit rate counts the ${n(traded)} series reads (each a cache.peekColumns the frame is built from) and the ${n(cold.marketReads)} lookup reads (each a cache.peekColumns), all after prefetch.`,
    `For comparison only, a per-request data hook without a cache (one provider call per read, like the seed engine's) would make ` +
      `${n(requests)} calls per run (${n(traded)} series + ${n(cold.marketReads)} market reads); grademark does not work that way.`,
  ];
  return `${title}\n${table.toString()}\n${notes.join('\n')}`;
}
