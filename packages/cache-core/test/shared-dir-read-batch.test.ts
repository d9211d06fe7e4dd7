// The batch messages of store protocol 2 (pure): answers are split per item, and an answer that
// does not add up is refused whole rather than handing any call fewer blocks than were sent.
import { describe, expect, it } from 'vitest';
import { parseBatchItems, splitBatchResults, type BatchItem } from '../src/tiers/disk/shared-dir/read-batch.js';

const b = (n: number) => new Uint8Array([n]);
const items: BatchItem[] = [
  { op: 'getMeta', seriesId: 'a', readAhead: 100 },
  { op: 'readBlocks', seriesId: 'b', starts: [1, 2, 3] },
  { op: 'getMeta', seriesId: 'c' },
  { op: 'readBlocks', seriesId: 'd', starts: [1] },
];
const listed = [{ start: 1, bars: 1, bytes: 1, first: 1, last: 1 }];

describe('batch messages', () => {
  it('split each item its own answer and its own blocks, in order', () => {
    const results = [
      { meta: { id: 'a' }, found: [1], listed },
      { found: [1, 3], listed },
      { meta: null },
      { error: { kind: 'type', message: 'bad' } },
    ];
    const answers = splitBatchResults(items, results, [b(10), b(20), b(30)]);
    expect(answers[0]).toEqual({ op: 'getMeta', meta: { id: 'a' }, blocks: { found: [1], listed, blobs: [b(10)] } });
    expect(answers[1]).toEqual({ op: 'readBlocks', found: [1, 3], listed, blobs: [b(20), b(30)] });
    expect(answers[2]).toEqual({ op: 'getMeta', meta: undefined });
    expect(answers[3]).toEqual({ op: 'error', error: { kind: 'type', message: 'bad' } });
  });

  it('refuse an answer that does not add up', () => {
    const ok = [{ meta: null }, { found: [1], listed }, { meta: null }, { found: [], listed }];
    expect(() => splitBatchResults(items, ok, [b(1)])).not.toThrow();
    expect(() => splitBatchResults(items, ok.slice(1), [b(1)])).toThrow(RangeError); // a result missing
    expect(() => splitBatchResults(items, ok, [])).toThrow(RangeError); // a block named but not sent
    expect(() => splitBatchResults(items, ok, [b(1), b(2)])).toThrow(RangeError); // a block nobody names
    expect(() => splitBatchResults(items, [{}, ...ok.slice(1)], [b(1)])).toThrow(RangeError); // a getMeta without its meta
    expect(() => splitBatchResults(items, [ok[0], { listed }, ok[2], ok[3]], [b(1)])).toThrow(RangeError); // readBlocks without found
    expect(() => splitBatchResults(items, 'nope', [])).toThrow(RangeError);
  });

  it('the leader refuses items that are not reads', () => {
    expect(parseBatchItems([{ op: 'getMeta', seriesId: 'a' }])).toHaveLength(1);
    expect(() => parseBatchItems({})).toThrow(TypeError);
    expect(() => parseBatchItems([{ op: 'commit' }])).toThrow(TypeError);
    expect(() => parseBatchItems([null])).toThrow(TypeError);
  });
});
