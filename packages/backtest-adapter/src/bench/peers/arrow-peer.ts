import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Peer } from './peer.js';
import { COLUMN_NAMES, peerBars, packColumns, unpackColumns, type SeriesColumns } from './peer-data.js';

let arrow: typeof import('apache-arrow') | undefined;

/** Apache Arrow: one IPC file per symbol, read whole and its Float64 columns taken as typed arrays. */
export const arrowPeer: Peer = {
  id: 'arrow',
  label: 'Arrow IPC file per symbol (apache-arrow)',
  async prepare() {
    arrow = await import('apache-arrow');
  },
  async write(dir, symbols) {
    await this.prepare!();
    for (const s of symbols) {
      const table = arrow!.tableFromArrays(unpackColumns(packColumns(peerBars(s))));
      writeFileSync(join(dir, `${s}.arrow`), arrow!.tableToIPC(table, 'file'));
    }
  },
  async load(dir, symbols) {
    const out: SeriesColumns[] = [];
    for (const s of symbols) {
      const table = arrow!.tableFromIPC(readFileSync(join(dir, `${s}.arrow`)));
      const cols = {} as SeriesColumns;
      for (const name of COLUMN_NAMES) cols[name] = table.getChild(name)!.toArray() as Float64Array;
      out.push(cols);
    }
    return out;
  },
};
