/**
 * Where one series lives in the shared tier. Every key of a series carries the same hash tag
 * (`{<series id>}`), so on a Redis Cluster they all map to one slot and one Lua script or MGET can
 * touch them together. The prefix keeps two teams' caches apart on one Redis.
 */
import { blockStartHex } from '../disk/block-commit.js';

export interface SharedSeriesKeys {
  /** JSON meta: ledger, adjustment basis, block index, version, checksum. */
  meta: string;
  /** The fill lease: holds the current holder's fencing token, with an expiry. */
  lease: string;
  /** A counter: every lease grant takes the next value (the fencing token). */
  fence: string;
  /** One encoded block (the disk tier's codec, with its CRC). */
  block(start: number): string;
}

export { DEFAULT_SHARED_PREFIX } from './shared-options.js';

export function sharedSeriesKeys(prefix: string, seriesId: string): SharedSeriesKeys {
  // A hash tag ends at the first '}': keep the id from closing it early.
  const tag = `{${seriesId.replace(/[{}%]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}}`;
  const base = `${prefix}${tag}`;
  return {
    meta: `${base}:meta`,
    lease: `${base}:lease`,
    fence: `${base}:fence`,
    block: (start) => `${base}:b:${blockStartHex(start)}`,
  };
}
