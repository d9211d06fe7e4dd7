import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { decodeBlocksShared, encodeBlock } from '../src/tiers/disk/bar-block-codec.js';
import { decodeBlocks } from '../src/tiers/disk/block-commit.js';
import type { Bar } from '../src/types.js';

const bar = (t: number, v = 0): Bar => ({ time: t, open: t + v, high: t + v + 1, low: t + v - 1, close: t + v + 0.5, volume: 10 + v });
const timesArb = fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 60 }).map((a) => a.sort((x, y) => x - y));

function model(base: Bar[], incoming: Bar[]): Bar[] {
  const m = new Map<number, Bar>();
  for (const b of base) m.set(b.time, b);
  for (const b of incoming) m.set(b.time, b);
  return [...m.values()].sort((a, b) => a.time - b.time);
}

describe('review: BarColumns search, merge and concat against a model', () => {
  it('upperBoundFrom equals upperBound for every valid from', () => {
    fc.assert(
      fc.property(timesArb, fc.integer({ min: -2, max: 402 }), fc.integer({ min: 0, max: 80 }), (times, t, span) => {
        const cols = BarColumns.fromBars(times.map((x) => bar(x)));
        const from = cols.lowerBound(t - span);
        expect(cols.upperBoundFrom(t, from)).toBe(cols.upperBound(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('merge of views (of one shared decode) equals the model and leaves its inputs unchanged', () => {
    fc.assert(
      fc.property(timesArb, timesArb, fc.integer({ min: 1, max: 5 }), fc.nat(), (a, b, cuts, seed) => {
        // Decode `a` as several adjacent blocks of one allocation, like a store read.
        const parts: Bar[][] = [];
        const step = Math.max(1, Math.ceil(a.length / cuts));
        for (let i = 0; i < a.length; i += step) parts.push(a.slice(i, i + step).map((x) => bar(x)));
        const decoded = decodeBlocksShared(parts.map((p) => encodeBlock(BarColumns.fromBars(p)))) as BarColumns[];
        const base = BarColumns.concat(decoded);
        const inc = BarColumns.fromBars(b.map((x) => bar(x, 1000 + (seed % 7))));
        const baseBefore = base.toBars();
        const incBefore = inc.toBars();
        const merged = BarColumns.merge(base, inc);
        expect(merged.toBars()).toEqual(model(baseBefore, incBefore));
        expect(base.toBars()).toEqual(baseBefore);
        expect(inc.toBars()).toEqual(incBefore);
        // And removing a range then merging back gives the same.
        const lo = Math.min(a[0] ?? 0, b[0] ?? 0);
        const cut = { start: lo + (seed % 50), end: lo + (seed % 50) + (seed % 90) };
        const without = merged.without(cut);
        expect(without.toBars()).toEqual(model(baseBefore, incBefore).filter((x) => x.time < cut.start || x.time >= cut.end));
        expect(merged.toBars()).toEqual(model(baseBefore, incBefore));
      }),
      { numRuns: 1000 },
    );
  });

  it('a store read with a corrupt block in the middle never joins its neighbours over the hole', () => {
    const blocks = [0, 100, 200].map((s) => BarColumns.fromBars([s, s + 1, s + 2].map((x) => bar(x))));
    const enc = blocks.map((c) => encodeBlock(c));
    const bad = enc[1]!.slice();
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff; // checksum fails
    const read = decodeBlocks([0, 100, 200], [enc[0], bad, enc[2]]);
    expect(read.corrupt).toEqual([100]);
    const joined = BarColumns.concat([read.blocks.get(0)!, read.blocks.get(200)!]);
    expect(Array.from(joined.time)).toEqual([0, 1, 2, 200, 201, 202]);
  });
});
