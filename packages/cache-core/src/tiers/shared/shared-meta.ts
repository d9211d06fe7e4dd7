/**
 * The shared tier's record of one series: the same facts the disk tier's SeriesMeta keeps
 * (coverage ledger, adjustment basis, fetch epochs, block index), plus a version that grows with
 * every publish and a checksum, so a worker trusts what Redis claims exactly as it trusts its own
 * disk. Pure: no I/O.
 */
import * as zlib from 'node:zlib';
import type { Ledger } from '../../planning/coverage-ledger.js';
import type { HoleRecord } from '../../planning/known-holes.js';
import type { FetchEpoch } from '../../planning/split-basis.js';
import type { Split } from '../../types.js';
import type { BlockInfo } from '../disk/bar-store.js';

export const SHARED_META_FORMAT = 1;

export interface SharedSeriesMeta {
  format: number;
  id: string;
  /** Grows by one with every publish: a reader can tell two states of the series apart. */
  version: number;
  ledger: Ledger;
  /** Splits the stored bars are adjusted for (the adjustment basis). */
  splits: Split[];
  fetchEpochs: FetchEpoch[];
  /** Blocks present in Redis, ascending by start. */
  blocks: BlockInfo[];
  timezone?: string;
  /**
   * Bars the provider sent without prices, with how many answers had them so and whether they are
   * given up on (known), exactly as the disk tier keeps them: a reader records them as the
   * publisher did. Written by every publish (empty when none); absent in a meta written before
   * holes were shared (format 1 either way: an optional field keeps older workers reading it).
   */
  holes?: HoleRecord[];
  /** When the last publish happened (epoch ms). */
  publishedAt: number;
}

/** `<crc32 hex>:<json>`: the checksum covers the JSON text exactly as stored. */
export function encodeSharedMeta(meta: SharedSeriesMeta): string {
  const json = JSON.stringify(meta);
  return `${crcHex(json)}:${json}`;
}

/** The meta, or undefined when the stored text fails its checksum or is not a meta of `id`. */
export function decodeSharedMeta(text: string, id: string): SharedSeriesMeta | undefined {
  const colon = text.indexOf(':');
  if (colon !== 8) return undefined;
  const json = text.slice(colon + 1);
  if (crcHex(json) !== text.slice(0, colon)) return undefined;
  try {
    const meta = JSON.parse(json) as SharedSeriesMeta;
    if (meta.format !== SHARED_META_FORMAT || meta.id !== id || !Array.isArray(meta.blocks) || typeof meta.version !== 'number') return undefined;
    if (meta.holes !== undefined && !validHoles(meta.holes)) return undefined;
    return meta;
  } catch {
    return undefined;
  }
}

export function emptySharedMeta(id: string): SharedSeriesMeta {
  return { format: SHARED_META_FORMAT, id, version: 0, ledger: { final: [], provisional: [] }, splits: [], fetchEpochs: [], blocks: [], holes: [], publishedAt: 0 };
}

function validHoles(holes: unknown): boolean {
  if (!Array.isArray(holes)) return false;
  return holes.every(
    (h: Partial<HoleRecord> | null) =>
      typeof h === 'object' && h !== null && Number.isFinite(h.time) && Number.isInteger(h.asks) && h.asks! > 0 && typeof h.known === 'boolean',
  );
}

function crcHex(text: string): string {
  return (zlib.crc32(Buffer.from(text, 'utf8')) >>> 0).toString(16).padStart(8, '0');
}
