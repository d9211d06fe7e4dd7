/**
 * Where a block's bytes go, per column, on the bench's synthetic data and on market-like data
 * (market-like-series.ts: float32 prices, dividend/split-adjusted closes rounded several ways,
 * no dividends, splits, NaN holes, penny stocks, minute bars). Each series is cut into the blocks
 * the disk tier writes (a year of daily bars, a day of minute bars). Prints bytes per bar for each
 * column plus the header, descriptors and CRC (`hdr`); MODES=1 also prints the chosen mode/param
 * counts. Pass `v1` to encode with `maxVersion: 1` (the format before version 2).
 *
 *   npx tsc -b && npx tsx packages/cache-core/test/tools/block-bytes-by-column.ts [v1]
 */
import { syntheticDailyBars, syntheticIntradayBars } from '@barcache/test-support';
import { BarColumns } from '../../src/bar-columns.js';
import { encodeBlock } from '../../src/tiers/disk/bar-block-codec.js';
import { Reader } from '../../src/tiers/disk/bar-block-format.js';
import type { Bar } from '../../src/types.js';
import { marketLikeBars } from '../market-like-series.js';
import { yahooLikeDaily } from '../synthetic-series.js';

const NAMES = ['time', 'close', 'open', 'high', 'low', 'volume', 'adjClose'];
function split(bars: Bar[], minute: boolean): Bar[][] {
  const out = new Map<number, Bar[]>();
  for (const b of bars) {
    const k = minute ? Math.floor(b.time / 86400000) : new Date(b.time).getUTCFullYear();
    let a = out.get(k); if (!a) out.set(k, (a = [])); a.push(b);
  }
  return [...out.values()];
}
function measure(name: string, series: Bar[][], minute = false) {
  const cols = new Array(7).fill(0); let overhead = 0; let bars = 0; let total = 0;
  const modes = new Array(7).fill(0).map(() => new Map<string, number>());
  for (const s of series) for (const blk of split(s, minute)) {
    const bytes = encodeBlock(BarColumns.fromBars(blk), { maxVersion: process.argv[2] === 'v1' ? 1 : 2 });
    total += bytes.length; bars += blk.length;
    const hasAdj = bytes[5]! & 1; const nc = hasAdj ? 7 : 6;
    const r = new Reader(bytes, 10); let sum = 0;
    for (let c = 0; c < nc; c++) { const m = bytes[r.pos++]!; const p = bytes[r.pos++]!; const l = r.varint(); cols[c] += l; sum += l; const key = `${m}/${p}`; modes[c]!.set(key, (modes[c]!.get(key) ?? 0) + 1); }
    overhead += bytes.length - sum;
  }
  const f = (x: number) => (x / bars).toFixed(2);
  console.log(`${name.padEnd(28)} total ${f(total)}  ` + NAMES.map((n, i) => `${n} ${f(cols[i])}`).join(' ') + ` hdr ${f(overhead)}`);
  if (process.env.MODES) console.log('   modes', modes.map((m, i) => `${NAMES[i]}:${[...m].map(([k, v]) => `${k}×${v}`).join(',')}`).join(' '));
}
const syms = Array.from({ length: 40 }, (_, i) => `SYM${i}`);
measure('bench synthetic (test-support)', syms.map((s) => syntheticDailyBars({ symbol: s, start: '2014-01-01', end: '2024-01-01' })));
measure('yahooLikeDaily', [1, 2, 3, 4, 5].map((s) => yahooLikeDaily(10, s)));
const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
measure('mkt float32 adj', seeds.map((seed) => marketLikeBars({ seed })));
measure('mkt decimal6 adj', seeds.map((seed) => marketLikeBars({ seed, adjRounding: 'decimal6' })));
measure('mkt f32-stepwise adj', seeds.map((seed) => marketLikeBars({ seed, adjRounding: 'float32-stepwise' })));
measure('mkt double adj, f64 px', seeds.map((seed) => marketLikeBars({ seed, adjRounding: 'double', priceFloat32: false })));
measure('mkt no dividends', seeds.map((seed) => marketLikeBars({ seed, dividendYield: 0 })));
measure('mkt splits unadjusted', seeds.map((seed) => marketLikeBars({ seed, splitsPerYear: 0.5, splitAdjustedClose: false })));
measure('mkt holes 3%', seeds.map((seed) => marketLikeBars({ seed, holeRate: 0.03 })));
measure('mkt penny 4dp', seeds.map((seed) => marketLikeBars({ seed, startPrice: 0.05, decimals: 4, volatility: 0.05 })));
measure('mkt high-vol 6% yield', seeds.map((seed) => marketLikeBars({ seed, dividendYield: 0.06, volatility: 0.04 })));
measure('mkt minute', seeds.map((seed) => marketLikeBars({ seed, interval: '1m' })), true);
measure('synthetic minute', syms.slice(0, 4).map((s) => syntheticIntradayBars({ symbol: s, interval: '1m', start: '2024-03-04', end: '2024-03-09' })), true);
