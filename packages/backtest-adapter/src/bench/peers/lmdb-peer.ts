import type { RootDatabase } from 'lmdb';
import type { Peer } from './peer.js';
import { packColumns, peerBars, unpackColumns, type SeriesColumns } from './peer-data.js';

let lmdb: typeof import('lmdb') | undefined;
let db: RootDatabase<Buffer, string> | undefined;

/** LMDB (lmdb-js): one binary value per symbol holding its seven Float64 columns, copied out on read. */
export const lmdbPeer: Peer = {
  id: 'lmdb',
  label: 'LMDB, raw column blobs per symbol, copied out (lmdb)',
  async prepare() {
    lmdb = await import('lmdb');
  },
  async write(dir, symbols) {
    await this.prepare!();
    const w = lmdb!.open<Buffer, string>({ path: dir, encoding: 'binary', compression: false });
    for (const s of symbols) {
      const packed = packColumns(peerBars(s));
      await w.put(s, Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength));
    }
    await w.close();
  },
  async load(dir, symbols) {
    db = lmdb!.open<Buffer, string>({ path: dir, encoding: 'binary', compression: false, readOnly: true });
    const out: SeriesColumns[] = [];
    for (const s of symbols) {
      // getBinary copies the value out of the memory map into a Buffer of its own.
      const bytes = db.getBinary(s)!;
      const packed =
        bytes.byteOffset % 8 === 0 ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8) : new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      out.push(unpackColumns(packed));
    }
    return out;
  },
  async close() {
    await db?.close();
  },
};
