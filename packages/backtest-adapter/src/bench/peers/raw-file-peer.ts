import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Peer } from './peer.js';
import { packColumns, peerBars, unpackColumns, type SeriesColumns } from './peer-data.js';

/**
 * The floor: one file per symbol holding its seven Float64 columns back to back, read with
 * `readFileSync` and viewed as a Float64Array. Nothing to decode; the cost is the read itself and
 * the fresh memory it lands in.
 */
export const rawFilePeer: Peer = {
  id: 'raw',
  label: 'raw file per symbol, 7 Float64 columns (readFileSync)',
  async write(dir, symbols) {
    for (const s of symbols) {
      const packed = packColumns(peerBars(s));
      writeFileSync(join(dir, `${s}.f64`), new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength));
    }
  },
  async load(dir, symbols) {
    const out: SeriesColumns[] = [];
    for (const s of symbols) {
      const buf = readFileSync(join(dir, `${s}.f64`));
      // A file this size gets its own ArrayBuffer, 8-aligned; copy only if it did not.
      const packed =
        buf.byteOffset % 8 === 0
          ? new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8)
          : new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      out.push(unpackColumns(packed));
    }
    return out;
  },
};
