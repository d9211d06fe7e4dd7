import type { HoleRecord } from '../planning/known-holes.js';
import type { SeriesMeta } from '../tiers/disk/bar-store.js';

/**
 * What the cache keeps in a series' meta beside the store's own fields: the holes the provider left
 * and the symbol's first trade. Stored with the meta (stores keep the whole meta object, and write
 * it in the same batch as the blocks); absent on metas written before they existed.
 */
export interface SeriesFacts {
  holes?: HoleRecord[];
  firstTradeTime?: number;
}

export type FactfulMeta = SeriesMeta & SeriesFacts;

export function factsOf(meta: SeriesMeta): SeriesFacts {
  return meta as FactfulMeta;
}
