/**
 * The `batch` request of the store protocol (version 2, docs/store-protocol.md): the metas and
 * blocks of many series in one round trip. Pure: encoding and decoding only.
 *
 * Request fields: `items: [{ op: 'getMeta', seriesId, readAhead? } | { op: 'readBlocks', seriesId, starts }]`.
 * Response fields: `results`, one per item, in order: `{ meta }` (or `null`), `{ found, listed }`,
 * or `{ error }` (a WireError: one item's failure fails only that item). A getMeta item with
 * `readAhead: n` also gets every block its meta lists (`{ meta, found, listed }`) when they add up
 * to at most n bytes: the readBlocks that follows a getMeta then needs no round trip. The blobs are
 * the found blocks of every item, item after item, each item's in the order of its `found`.
 */
import type { BlockInfo, SeriesMeta } from '../bar-store.js';
import type { WireError } from './store-protocol.js';

export type BatchItem = { op: 'getMeta'; seriesId: string; readAhead?: number } | { op: 'readBlocks'; seriesId: string; starts: number[] };

/** Blocks as the leader read them: the starts found, their bytes, and the meta's block list then. */
export interface BlocksRead {
  found: number[];
  listed: BlockInfo[];
  blobs: Uint8Array[];
}

export type BatchResult = { meta: SeriesMeta | null; found?: number[]; listed?: BlockInfo[] } | { found: number[]; listed: BlockInfo[] } | { error: WireError };

/** One item's answer as the follower hands it back: the meta, or the found blocks with their bytes. */
export type BatchAnswer =
  | { op: 'getMeta'; meta: SeriesMeta | undefined; blocks?: BlocksRead }
  | ({ op: 'readBlocks' } & BlocksRead)
  | { op: 'error'; error: WireError };

/** The leader's check of a request's items (a damaged or foreign frame is refused whole). */
export function parseBatchItems(items: unknown): BatchItem[] {
  if (!Array.isArray(items)) throw new TypeError('store protocol: batch items must be an array');
  return items.map((item: unknown, i) => {
    const it = item as Partial<BatchItem> | null;
    if (it === null || typeof it !== 'object' || (it.op !== 'getMeta' && it.op !== 'readBlocks')) {
      throw new TypeError(`store protocol: batch item ${i} is not a getMeta or readBlocks request`);
    }
    return it as BatchItem;
  });
}

/**
 * The follower's side: splits a response's results and blobs into one answer per item. Throws
 * RangeError when they do not add up (a damaged frame): nothing of it is used.
 */
export function splitBatchResults(items: readonly BatchItem[], results: unknown, blobs: readonly Uint8Array[]): BatchAnswer[] {
  if (!Array.isArray(results) || results.length !== items.length) throw new RangeError('store protocol: batch results do not match the request');
  let next = 0;
  const answers = items.map((item, i): BatchAnswer => {
    const r = results[i] as Record<string, unknown> | null;
    if (r === null || typeof r !== 'object') throw new RangeError(`store protocol: batch result ${i} is not an object`);
    if (r.error !== undefined) return { op: 'error', error: r.error as WireError };
    const take = (): BlocksRead => {
      const found = r.found;
      if (!Array.isArray(found) || next + found.length > blobs.length) throw new RangeError(`store protocol: batch result ${i} names more blocks than the frame holds`);
      const own = blobs.slice(next, next + found.length);
      next += found.length;
      return { found: found as number[], listed: (r.listed as BlockInfo[] | undefined) ?? [], blobs: own };
    };
    if (item.op === 'getMeta') {
      if (!('meta' in r)) throw new RangeError(`store protocol: batch result ${i} has no meta`);
      const meta = (r.meta as SeriesMeta | null) ?? undefined;
      return r.found === undefined ? { op: 'getMeta', meta } : { op: 'getMeta', meta, blocks: take() };
    }
    return { op: 'readBlocks', ...take() };
  });
  if (next !== blobs.length) throw new RangeError('store protocol: batch frame holds blocks no result names');
  return answers;
}
