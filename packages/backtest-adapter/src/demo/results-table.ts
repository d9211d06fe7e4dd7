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

function tradesLine(r: RunResult): string {
  const trades = r.symbols.reduce((a, s) => a + s.trades, 0);
  const wins = r.symbols.reduce((a, s) => a + s.wins, 0);
  const meanReturn = (100 * r.symbols.reduce((a, s) => a + (s.growth - 1), 0)) / Math.max(1, r.symbols.length);
  return `${trades} trades, ${pct(wins, trades)} won, ${signed(meanReturn)}/symbol`;
}

/** The demo's one table: without cache (counted) | cold run | warm run in a new process. */
export function formatDemoTable(config: DemoConfig, cold: RunResult, warm: RunResult): string {
  const title =
    `grademark SMA(10/${config.lookbackPeriod}) crossover + ${config.market} market filter · ${config.symbols.join(' ')} · ` +
    `${config.start} → ${config.end} · daily · ${config.synthetic ? 'SYNTHETIC DATA (local loopback server)' : 'Yahoo Finance'}`;
  const table = new Table({
    head: ['', 'no cache (counted)', 'cold run', 'warm run, new process'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  const same = cold.tradesDigest === warm.tradesDigest;
  table.push(
    ['requests (series + market reads)', n(cold.requests), `${n(cold.requests)} (${cold.seriesLoads} + ${n(cold.marketReads)})`, `${n(warm.requests)} (${warm.seriesLoads} + ${n(warm.marketReads)})`],
    ['provider calls', `${n(cold.requests)} (1 per request)`, n(cold.providerCalls), n(warm.providerCalls)],
    ['prefetch, one planned pass', '–', prefetchLine(cold), prefetchLine(warm)],
    ['served by L1 / L2 / provider', '0 / 0 / 100%', `${pct(cold.l1Hits, cold.requests)} / ${pct(cold.l2Hits, cold.requests)} / ${pct(cold.misses, cold.requests)}`, `${pct(warm.l1Hits, warm.requests)} / ${pct(warm.l2Hits, warm.requests)} / ${pct(warm.misses, warm.requests)}`],
    ['wall time, open cache → trades', '–', ms(cold.wallMs), ms(warm.wallMs)],
    ['wall time, whole process', '–', ms(cold.processMs ?? 0), ms(warm.processMs ?? 0)],
    ['trades, P&L', 'same backtest', tradesLine(cold), tradesLine(warm)],
    ['trades identical to cold run', '–', '–', same ? 'yes' : 'NO'],
  );
  return `${title}\n${table.toString()}`;
}
