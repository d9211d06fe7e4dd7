import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { decodeBlock, decodeBlockInto, decodeBlocksShared, encodeBlock, readBlockHeader } from '../src/tiers/disk/bar-block-codec.js';
import { isBarcacheError } from '../src/errors.js';
import type { Bar } from '../src/types.js';
import { yahooLikeDaily } from './synthetic-series.js';

/** A series cut into year-like blocks of `size` bars, each encoded. */
function blocksOf(bars: Bar[], size: number): { bars: Bar[]; bytes: Uint8Array }[] {
  const out: { bars: Bar[]; bytes: Uint8Array }[] = [];
  for (let i = 0; i < bars.length; i += size) {
    const part = bars.slice(i, i + size);
    out.push({ bars: part, bytes: encodeBlock(BarColumns.fromBars(part)) });
  }
  return out;
}

function withoutAdj(bars: Bar[]): Bar[] {
  return bars.map(({ adjClose: _drop, ...rest }) => rest);
}

describe('decoding blocks into a pre-sized series', () => {
  const bars = yahooLikeDaily(4, 7);
  const blocks = blocksOf(bars, 252);

  it('readBlockHeader gives the bar count and adjClose flag without decoding', () => {
    expect(readBlockHeader(blocks[0]!.bytes)).toEqual({ bars: 252, hasAdjClose: true });
    expect(readBlockHeader(encodeBlock(BarColumns.fromBars(withoutAdj(bars.slice(0, 3)))))).toEqual({ bars: 3, hasAdjClose: false });
    expect(readBlockHeader(encodeBlock(BarColumns.empty()))).toEqual({ bars: 0, hasAdjClose: false });
    const badMagic = blocks[0]!.bytes.slice();
    badMagic[1] = 0;
    expect(readBlockHeader(badMagic)).toBeUndefined();
    expect(readBlockHeader(blocks[0]!.bytes.subarray(0, 9))).toBeUndefined();
    // A count the bytes cannot hold (a flipped high byte) is refused, so nothing is sized from it.
    const hugeCount = blocks[0]!.bytes.slice();
    hugeCount[9] = 0x7f;
    expect(readBlockHeader(hugeCount)).toBeUndefined();
  });

  it('decodeBlockInto writes every block at its offset: the same bars as decoding each and concatenating', () => {
    const target = BarColumns.allocate(bars.length, true);
    let at = 0;
    for (const b of blocks) at += decodeBlockInto(b.bytes, target, at);
    expect(at).toBe(bars.length);
    expect(target.toBars()).toEqual(bars);
    expect(target.toBars()).toEqual(BarColumns.concat(blocks.map((b) => decodeBlock(b.bytes))).toBars());
  });

  it('decodeBlockInto leaves the bars around its range alone and writes NaN adjClose for a block without one', () => {
    const plain = encodeBlock(BarColumns.fromBars(withoutAdj(bars.slice(0, 5))));
    const target = BarColumns.allocate(9, true);
    target.close.fill(-1);
    target.adjClose!.fill(-1);
    expect(decodeBlockInto(plain, target, 2)).toBe(5);
    expect([...target.close.subarray(0, 2)]).toEqual([-1, -1]);
    expect([...target.close.subarray(7)]).toEqual([-1, -1]);
    expect(target.view(2, 7).toBars()).toEqual(withoutAdj(bars.slice(0, 5)));
    expect(Number.isNaN(target.adjClose![2]!)).toBe(true);
    expect(target.adjClose![7]).toBe(-1);
  });

  it('decodeBlockInto refuses a block that does not fit, or has a column the target lacks', () => {
    expect(() => decodeBlockInto(blocks[0]!.bytes, BarColumns.allocate(251, true), 0)).toThrow(RangeError);
    expect(() => decodeBlockInto(blocks[0]!.bytes, BarColumns.allocate(300, true), 49)).toThrow(RangeError);
    expect(() => decodeBlockInto(blocks[0]!.bytes, BarColumns.allocate(300, true), -1)).toThrow(RangeError);
    expect(() => decodeBlockInto(blocks[0]!.bytes, BarColumns.allocate(300, false), 0)).toThrow(RangeError);
  });

  it('decodeBlockInto throws CORRUPT_BLOCK for a damaged block', () => {
    const bad = blocks[1]!.bytes.slice();
    bad[40] = bad[40]! ^ 0x21;
    let err: unknown;
    try {
      decodeBlockInto(bad, BarColumns.allocate(300, true), 0);
    } catch (e) {
      err = e;
    }
    expect(isBarcacheError(err, 'CORRUPT_BLOCK')).toBe(true);
  });

  it('decodeBlocksShared puts all blocks in one allocation that concat joins without a copy', () => {
    const parts = decodeBlocksShared(blocks.map((b) => b.bytes));
    expect(parts).toHaveLength(blocks.length);
    const cols = parts as BarColumns[];
    for (let i = 0; i < blocks.length; i++) expect(cols[i]!.toBars()).toEqual(blocks[i]!.bars);
    const buffer = cols[0]!.time.buffer;
    expect(cols.every((c) => c.close.buffer === buffer)).toBe(true);
    expect(buffer.byteLength).toBe(bars.length * 8 * 7); // sized once, exactly
    const joined = BarColumns.concat(cols);
    expect(joined.time.buffer).toBe(buffer); // a view, not a copy
    expect(joined.toBars()).toEqual(bars);
  });

  it('decodeBlocksShared reports a corrupt block in its place and decodes the others', () => {
    const bytes = blocks.map((b) => b.bytes);
    const bad = bytes[1]!.slice();
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    const truncated = bytes[2]!.subarray(0, 6);
    const parts = decodeBlocksShared([bytes[0]!, bad, truncated, bytes[3]!]);
    expect(parts[0]).toBeInstanceOf(BarColumns);
    expect(isBarcacheError(parts[1], 'CORRUPT_BLOCK')).toBe(true);
    expect(isBarcacheError(parts[2], 'CORRUPT_BLOCK')).toBe(true);
    expect((parts[0] as BarColumns).toBars()).toEqual(blocks[0]!.bars);
    expect((parts[3] as BarColumns).toBars()).toEqual(blocks[3]!.bars);
    // Not adjacent any more (the corrupt block's slot lies between): concat copies, and is still right.
    const joined = BarColumns.concat([parts[0] as BarColumns, parts[3] as BarColumns]);
    expect(joined.toBars()).toEqual([...blocks[0]!.bars, ...blocks[3]!.bars]);
  });

  it('decodeBlocksShared keeps a block without adjClose without the column among blocks with one', () => {
    const plain = withoutAdj(bars.slice(300, 310));
    const parts = decodeBlocksShared([blocks[0]!.bytes, encodeBlock(BarColumns.fromBars(plain))]) as BarColumns[];
    expect(parts[1]!.adjClose).toBeUndefined();
    expect(parts[1]!.toBars()).toEqual(plain);
    expect(BarColumns.concat(parts).toBars()).toEqual([...blocks[0]!.bars, ...plain]);
  });
});

describe('what a store read hands the cache', () => {
  it('decodeBlocks puts a series’ blocks in one allocation in time order, whatever order they were asked in', async () => {
    const { decodeBlocks } = await import('../src/tiers/disk/block-commit.js');
    const bars = yahooLikeDaily(3, 9);
    const blocks = blocksOf(bars, 252);
    const starts = blocks.map((b) => b.bars[0]!.time);
    const order = [2, 0, 1];
    const bad = blocks[1]!.bytes.slice();
    bad[20] = bad[20]! ^ 0x40;
    const read = decodeBlocks(
      order.map((i) => starts[i]!),
      order.map((i) => blocks[i]!.bytes),
    );
    expect(read.corrupt).toEqual([]);
    const sorted = [...read.blocks.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
    const joined = BarColumns.concat(sorted);
    expect(joined.time.buffer).toBe(sorted[0]!.time.buffer); // no second copy
    expect(joined.toBars()).toEqual(bars.slice(0, 3 * 252));

    // A corrupt block is reported (in the order asked) and the others still decode.
    const withBad = decodeBlocks([starts[1]!, starts[0]!, starts[2]!], [bad, blocks[0]!.bytes, undefined]);
    expect(withBad.corrupt).toEqual([starts[1]]);
    expect([...withBad.blocks.keys()]).toEqual([starts[0]]);
    expect(withBad.blocks.get(starts[0]!)!.toBars()).toEqual(blocks[0]!.bars);
  });
});
