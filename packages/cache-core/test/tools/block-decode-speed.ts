/**
 * Decode speed of the same bars written as version-1 and as version-2 blocks, side by side in one
 * process (alternating, median of 15): 200 synthetic symbols × 10 yearly blocks decoded into one
 * pre-sized series each, as the warm load does.
 *
 *   npx tsc -b && npx tsx packages/cache-core/test/tools/block-decode-speed.ts
 */
import { syntheticDailyBars } from '@barcache/test-support';
import { BarColumns } from '../../src/bar-columns.js';
import { encodeBlock, decodeBlockInto } from '../../src/tiers/disk/bar-block-codec.js';
const v1: Uint8Array[][] = [], v2: Uint8Array[][] = [];
let total = 0;
for (let s = 0; s < 200; s++) {
  const a: Uint8Array[] = [], b: Uint8Array[] = [];
  for (let y = 2014; y < 2024; y++) {
    const cols = BarColumns.fromBars(syntheticDailyBars({ symbol: `S${s}`, start: `${y}-01-01`, end: `${y + 1}-01-01` }));
    a.push(encodeBlock(cols, { maxVersion: 1 })); b.push(encodeBlock(cols)); total += cols.length;
  }
  v1.push(a); v2.push(b);
}
const target = BarColumns.allocate(3000, true);
function run(blocks: Uint8Array[][]): number {
  const t0 = performance.now();
  for (const series of blocks) { let at = 0; for (const blk of series) at += decodeBlockInto(blk, target, at); }
  return performance.now() - t0;
}
const r1: number[] = [], r2: number[] = [];
for (let i = 0; i < 15; i++) { r1.push(run(v1)); r2.push(run(v2)); }
const med = (x: number[]) => x.sort((a, b) => a - b)[x.length >> 1]!;
const bytes = (b: Uint8Array[][]) => b.flat().reduce((n, x) => n + x.length, 0);
console.log(`bars ${total}; v1 ${(bytes(v1) / total).toFixed(2)} B/bar decode median ${med(r1).toFixed(1)} ms; v2 ${(bytes(v2) / total).toFixed(2)} B/bar decode median ${med(r2).toFixed(1)} ms; v2/v1 ${(med(r2) / med(r1)).toFixed(3)}`);
