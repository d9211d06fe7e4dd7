/**
 * The messages of the store protocol (docs/store-protocol.md): what a follower asks the leader and
 * how errors and writes travel. Pure: encoding and decoding only.
 */
import { readFileSync } from 'node:fs';
import { BarColumns } from '../../../bar-columns.js';
import { BarcacheError, ErrorCode } from '../../../errors.js';
import { decodeBlock, encodeBlock } from '../bar-block-codec.js';
import type { SeriesMeta, SeriesWrite } from '../bar-store.js';

/**
 * Bumped on any change a peer of the other version would misread. A leader and a follower of
 * different protocol versions refuse each other with PROTOCOL_MISMATCH.
 */
export const STORE_PROTOCOL_VERSION = 2;

/** The operations a follower may ask for (request header `op`). */
export const STORE_OPS = ['hello', 'getMeta', 'listMeta', 'readBlocks', 'batch', 'commit', 'deleteSeries', 'totalBytes', 'lease', 'release'] as const;
export type StoreOp = (typeof STORE_OPS)[number];

/** The hello both sides send first. */
export interface Hello {
  protocol: number;
  /** The Barcache (cache-core) version, for the error message when protocols differ. */
  barcache: string;
  pid: number;
  /** What the process is (its label), shown in errors. */
  label?: string;
}

let version: string | undefined;
/** This package's version (from its package.json; '0.0.0' when bundled without it). */
export function barcacheVersion(): string {
  if (version === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}

export function describePeer(h: Pick<Hello, 'protocol' | 'barcache'>): string {
  return `Barcache ${h.barcache} (store protocol ${h.protocol})`;
}

/** An error as it travels in a response header. */
export interface WireError {
  kind: 'barcache' | 'type' | 'retry' | 'error';
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof BarcacheError) return { kind: 'barcache', code: err.code, message: err.message, details: jsonSafe(err.details) };
  if (err instanceof TypeError) return { kind: 'type', message: err.message };
  return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
}

/** The leader is closing: the follower should retry the request with the next leader. */
export const RETRY_ERROR: WireError = { kind: 'retry', message: 'the leader is closing' };

/** The request was lost with its leader (closed, killed, or closing): the store retries it with the next one. */
export class LeaderLostError extends Error {
  override readonly name = 'LeaderLostError';
}

export function fromWireError(e: WireError, leaderPid: number): Error {
  switch (e.kind) {
    case 'barcache':
      return new BarcacheError(e.code as ErrorCode, e.message, { details: { ...(e.details ?? {}), leaderPid } });
    case 'type':
      return new TypeError(e.message);
    case 'retry':
      return new LeaderLostError(`Barcache leader pid ${leaderPid}: ${e.message}`);
    default:
      return new Error(`Barcache leader pid ${leaderPid}: ${e.message}`);
  }
}

function jsonSafe(details: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** One series write as it travels: blocks are encoded by the follower, as the codec stores them. */
export interface WireWrite {
  meta: SeriesMeta;
  /** [block start, blob index]; an empty blob is an empty BarColumns (deletes the block). */
  put?: [number, number][];
  del?: number[];
}

/**
 * Encodes writes for a commit request. Checks what the leader could not tell apart after JSON
 * (a put that is not a BarColumns) and throws TypeError before anything is sent.
 */
export function encodeWrites(writes: readonly SeriesWrite[]): { writes: WireWrite[]; blobs: Uint8Array[] } {
  if (!Array.isArray(writes)) throw new TypeError('commitMany: expected an array of writes');
  const out: WireWrite[] = [];
  const blobs: Uint8Array[] = [];
  for (const w of writes) {
    if (w === null || typeof w !== 'object' || w.meta === null || typeof w.meta !== 'object') throw new TypeError('commit: expected { meta, put?, del? }');
    if (w.put !== undefined && !(w.put instanceof Map)) throw new TypeError('commit: put must be a Map<number, BarColumns>');
    if (w.del !== undefined && !Array.isArray(w.del)) throw new TypeError('commit: del must be an array of block starts');
    const wire: WireWrite = { meta: w.meta };
    if (w.put !== undefined) {
      wire.put = [];
      for (const [start, cols] of w.put) {
        if (!(cols instanceof BarColumns)) throw new TypeError(`commit: block ${start} is not a BarColumns`);
        if (typeof start !== 'number' || !Number.isFinite(start)) throw new TypeError(`block start must be an integer epoch ms, got ${String(start)}`);
        wire.put.push([start, blobs.length]);
        blobs.push(cols.length === 0 ? new Uint8Array(0) : encodeBlock(cols));
      }
    }
    if (w.del !== undefined) {
      for (const s of w.del) if (typeof s !== 'number' || !Number.isFinite(s)) throw new TypeError(`block start must be an integer epoch ms, got ${String(s)}`);
      wire.del = [...w.del];
    }
    out.push(wire);
  }
  return { writes: out, blobs };
}

/** The leader's side of encodeWrites: SeriesWrites for its own store (blocks decoded and checksum-checked). */
export function decodeWrites(wire: unknown, blobs: readonly Uint8Array[]): SeriesWrite[] {
  if (!Array.isArray(wire)) throw new TypeError('commit: expected an array of writes');
  return wire.map((w: WireWrite) => {
    if (w === null || typeof w !== 'object') throw new TypeError('commit: expected { meta, put?, del? }');
    const write: SeriesWrite = { meta: w.meta };
    if (w.put !== undefined) {
      write.put = new Map();
      for (const [start, index] of w.put) {
        const bytes = blobs[index];
        if (bytes === undefined) throw new TypeError(`commit: block ${start} has no data`);
        write.put.set(start, bytes.byteLength === 0 ? BarColumns.empty() : decodeBlock(bytes));
      }
    }
    if (w.del !== undefined) write.del = w.del;
    return write;
  });
}
