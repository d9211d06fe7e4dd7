/**
 * A series meta as LevelBarStore stores it: `<crc32 of the JSON, 8 hex digits> <JSON>`. A meta
 * whose checksum fails (a digit changed inside still-valid JSON, say) would make the ledger claim
 * bars that were never stored, so it reads as unreadable and the series as absent. Metas written
 * before checksums existed (plain JSON) are still read, and sealed on their next commit.
 * Pure: no I/O.
 */
import { crc32Text } from './bar-block-format.js';
import type { SeriesMeta } from './bar-store.js';

const SEALED = /^[0-9a-f]{8} /;

function checksum(json: string): string {
  return crc32Text(json).toString(16).padStart(8, '0');
}

/** The stored form of a meta's JSON. */
export function sealMeta(json: string): string {
  return `${checksum(json)} ${json}`;
}

/**
 * The meta's JSON and parsed form, or undefined when the stored value fails its checksum, will
 * not parse, or is not a meta (no `blocks` array, no ledger).
 */
export function unsealMeta(stored: string): { json: string; meta: SeriesMeta } | undefined {
  let json: string;
  if (SEALED.test(stored)) {
    json = stored.slice(9);
    if (checksum(json) !== stored.slice(0, 8)) return undefined;
  } else if (stored.startsWith('{')) {
    json = stored; // written before metas carried a checksum
  } else {
    return undefined;
  }
  try {
    const meta = JSON.parse(json) as SeriesMeta;
    if (meta === null || typeof meta !== 'object' || !Array.isArray(meta.blocks) || typeof meta.ledger !== 'object' || meta.ledger === null) {
      return undefined;
    }
    return { json, meta };
  } catch {
    return undefined;
  }
}
