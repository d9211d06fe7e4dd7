/**
 * The part of reading and committing blocks both BarStore backends share: checking arguments,
 * decoding read blocks, checking a SeriesWrite, encoding its blocks and working out the meta as it
 * will be stored (with `blocks` recomputed). Pure: no I/O.
 */
import { BarColumns } from '../../bar-columns.js';
import { encodeBlock, readBlockHeader } from './bar-block-codec.js';
import { ErrorCode, isBarcacheError, type BarcacheError } from '../../errors.js';
import type { BlockInfo, BlockReadResult, ColumnBufferSource, SeriesMeta, SeriesWrite } from './bar-store.js';
import { decodeBlocksShared } from './series-decode.js';

/** Block starts must stay below 2^52 in magnitude (about 142,000 years of epoch ms). */
const KEY_OFFSET = 2 ** 52;
const KEY_HEX_DIGITS = 14;

/** Separates the series id from the block start in a block key; never part of an id. */
export const BLOCK_KEY_SEPARATOR = '\x00';

export function checkSeriesId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`series id must be a non-empty string, got ${String(id)}`);
  if (id.includes(BLOCK_KEY_SEPARATOR)) throw new TypeError(`series id must not contain \\x00: ${JSON.stringify(id)}`);
}

export function checkBlockStart(start: unknown): asserts start is number {
  if (typeof start !== 'number' || !Number.isSafeInteger(start) || Math.abs(start) >= KEY_OFFSET) {
    throw new TypeError(`block start must be an integer epoch ms below 2^52 in magnitude, got ${String(start)}`);
  }
}

/** Fixed-width hex of `start + 2^52`: sorts like the number, negative (pre-1970) starts included. */
export function blockStartHex(start: number): string {
  return (start + KEY_OFFSET).toString(16).padStart(KEY_HEX_DIGITS, '0');
}

export function parseBlockStartHex(hex: string): number {
  return parseInt(hex, 16) - KEY_OFFSET;
}

/** Checks readBlocks' arguments; returns the distinct starts, in the order first asked for. */
export function checkReadArgs(id: unknown, starts: unknown): number[] {
  checkSeriesId(id);
  if (!Array.isArray(starts)) throw new TypeError('readBlocks: starts must be an array');
  for (const s of starts) checkBlockStart(s);
  return [...new Set<number>(starts)];
}

/**
 * Decodes what a read found: `encoded[i]` is the stored block at `starts[i]` (undefined when
 * absent). A block that fails its checksum or will not decode is listed in `corrupt`.
 */
export function decodeBlocks(starts: readonly number[], encoded: readonly (Uint8Array | undefined)[], columnBuffer?: ColumnBufferSource): BlockReadResult {
  const present = presentInTimeOrder(starts, encoded);
  return collectDecoded(starts, present, decodeBlocksShared(present.bytes, columnBuffer));
}

/** The blocks found, in time order: decoded into one allocation, the cache joins them without a copy. */
function presentInTimeOrder(starts: readonly number[], encoded: readonly (Uint8Array | undefined)[]): { starts: number[]; bytes: Uint8Array[] } {
  const present = starts.flatMap((start, i) => (encoded[i] === undefined ? [] : [{ start, bytes: encoded[i]! }])).sort((a, b) => a.start - b.start);
  return { starts: present.map((p) => p.start), bytes: present.map((p) => p.bytes) };
}

function collectDecoded(starts: readonly number[], present: { starts: number[] }, decoded: readonly (BarColumns | BarcacheError)[]): BlockReadResult {
  const blocks = new Map<number, BarColumns>();
  const corrupt: number[] = [];
  const failed = new Set<number>();
  for (let i = 0; i < present.starts.length; i++) {
    const result = decoded[i]!;
    if (result instanceof BarColumns) blocks.set(present.starts[i]!, result);
    else if (isBarcacheError(result, ErrorCode.CORRUPT_BLOCK)) failed.add(present.starts[i]!);
    else throw result;
  }
  for (const start of starts) if (failed.has(start)) corrupt.push(start);
  return { blocks, corrupt };
}

/** `<seriesId>\x00<blockStart as sortable hex>`. */
export function blockKey(id: string, start: number): string {
  return id + BLOCK_KEY_SEPARATOR + blockStartHex(start);
}

/** The key range holding every block of one series: { gt, lt }. */
export function seriesBlockRange(id: string): { gt: string; lt: string } {
  return { gt: id + BLOCK_KEY_SEPARATOR, lt: id + '\x01' };
}

export interface PreparedCommit {
  id: string;
  /** The meta as stored (a fresh object, `blocks` recomputed). */
  meta: SeriesMeta;
  /** JSON of `meta`: the stored value. */
  metaJson: string;
  /** Encoded blocks to write. */
  puts: { start: number; bytes: Uint8Array }[];
  /** Block starts to delete (requested deletions plus empty puts). */
  dels: number[];
  /** Stored bytes of the series after the commit (meta JSON + blocks). */
  bytes: number;
}

/** Stored size of a series: its meta's JSON plus its blocks. */
export function seriesBytes(metaJson: string, blocks: readonly BlockInfo[]): number {
  let n = Buffer.byteLength(metaJson, 'utf8');
  for (const b of blocks) n += b.bytes;
  return n;
}

/**
 * Checks a write and computes what it stores. `current` is the series' stored meta (undefined
 * when new). Deletions apply before puts, so a start in both ends up written. A put of an empty
 * BarColumns deletes the block. Throws TypeError on a malformed write (nothing is stored then).
 */
export function prepareCommit(write: SeriesWrite, current: SeriesMeta | undefined): PreparedCommit {
  if (write === null || typeof write !== 'object' || write.meta === null || typeof write.meta !== 'object') {
    throw new TypeError('commit: expected { meta, put?, del? }');
  }
  const id = write.meta.id;
  checkSeriesId(id);
  if (write.put !== undefined && !(write.put instanceof Map)) throw new TypeError('commit: put must be a Map<number, BarColumns>');
  if (write.del !== undefined && !Array.isArray(write.del)) throw new TypeError('commit: del must be an array of block starts');

  const blocks = new Map<number, BlockInfo>();
  for (const b of current?.blocks ?? []) blocks.set(b.start, b);
  const dels = new Set<number>();
  for (const start of write.del ?? []) {
    checkBlockStart(start);
    blocks.delete(start);
    dels.add(start);
  }
  const puts: { start: number; bytes: Uint8Array }[] = [];
  for (const [start, cols] of write.put ?? []) {
    checkBlockStart(start);
    if (!(cols instanceof BarColumns)) throw new TypeError(`commit: block ${start} is not a BarColumns`);
    if (cols.length === 0) {
      blocks.delete(start);
      dels.add(start);
      continue;
    }
    const first = cols.time[0]!;
    const last = cols.time[cols.length - 1]!;
    if (first < start) throw new TypeError(`commit: block ${start} holds a bar before its start (${first})`);
    const bytes = encodeBlock(cols);
    dels.delete(start);
    puts.push({ start, bytes });
    blocks.set(start, { start, bars: cols.length, bytes: bytes.length, first, last, adjClose: readBlockHeader(bytes)?.hasAdjClose === true });
  }
  const stored: SeriesMeta = { ...write.meta, blocks: [...blocks.values()].sort((a, b) => a.start - b.start) };
  const metaJson = JSON.stringify(stored);
  const meta = JSON.parse(metaJson) as SeriesMeta;
  return { id, meta, metaJson, puts, dels: [...dels], bytes: seriesBytes(metaJson, meta.blocks) };
}

/**
 * Prepares a batch of writes (see prepareCommit); later writes to the same series build on earlier
 * ones in the batch. `stored` gives a series' stored meta. Throws before anything is applied.
 */
export function prepareCommits(writes: readonly SeriesWrite[], stored: (id: string) => SeriesMeta | undefined): PreparedCommit[] {
  const working = new Map<string, SeriesMeta | undefined>();
  const prepared: PreparedCommit[] = [];
  for (const w of writes) {
    const id = w?.meta?.id;
    const current = working.has(id) ? working.get(id) : stored(id);
    const p = prepareCommit(w, current);
    working.set(p.id, p.meta);
    prepared.push(p);
  }
  return prepared;
}
