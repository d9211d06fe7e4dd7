/**
 * The demo's sample price files: LOCAL SYNTHETIC data (test-support's deterministic generator on a
 * real trading calendar), written as Yahoo-style CSV downloads. Not market data.
 *
 *   npx tsx packages/backtest-adapter/scripts/demo-data.ts     (rewrites demo-data/*.csv)
 *
 * A test checks that the committed files are exactly what this produces.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { syntheticDailyBars } from '@barcache/test-support';

export const DEMO_DATA_SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'SPY'] as const;
export const DEMO_DATA_START = '2022-01-03';
export const DEMO_DATA_END = '2024-12-31';

/** One symbol's file, as Yahoo's CSV download lays it out. */
export function demoCsv(symbol: string): string {
  const lines = ['Date,Open,High,Low,Close,Adj Close,Volume'];
  for (const b of syntheticDailyBars({ symbol, start: DEMO_DATA_START, end: DEMO_DATA_END, inclusive: true })) {
    const p = (x: number) => x.toFixed(2);
    lines.push([new Date(b.time).toISOString().slice(0, 10), p(b.open), p(b.high), p(b.low), p(b.close), p(b.adjClose ?? b.close), String(b.volume)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const symbol of DEMO_DATA_SYMBOLS) {
    writeFileSync(new URL(`../demo-data/${symbol}.csv`, import.meta.url), demoCsv(symbol));
  }
}
