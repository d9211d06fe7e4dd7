import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Peer } from './peer.js';
import { allocateColumns, peerBars, type SeriesColumns } from './peer-data.js';

type Database = BetterSqlite3.Database;
let Sqlite: typeof BetterSqlite3 | undefined;
let db: Database | undefined;

/**
 * SQLite through better-sqlite3 (12.x: 13 needs Node 22): one table, primary key (symbol, time),
 * WITHOUT ROWID so the rows live in the key's B-tree; loaded per symbol with a raw-row query
 * into typed arrays.
 */
export const sqlitePeer: Peer = {
  id: 'sqlite',
  label: 'SQLite (better-sqlite3, WITHOUT ROWID) into typed arrays',
  async prepare() {
    Sqlite = (await import('better-sqlite3')).default;
    new Sqlite(':memory:').close(); // the native binding loads here: fails if it was never built
  },
  async write(dir, symbols) {
    await this.prepare!();
    const w = new Sqlite!(join(dir, 'bars.sqlite'));
    w.pragma('journal_mode = WAL');
    w.exec(
      'CREATE TABLE bars (symbol TEXT NOT NULL, time INTEGER NOT NULL, open REAL, high REAL, low REAL, close REAL, volume REAL, adj_close REAL, PRIMARY KEY (symbol, time)) WITHOUT ROWID',
    );
    const insert = w.prepare('INSERT INTO bars VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const all = w.transaction((s: string) => {
      for (const b of peerBars(s)) insert.run(s, b.time, b.open, b.high, b.low, b.close, b.volume, b.adjClose ?? null);
    });
    for (const s of symbols) all(s);
    w.pragma('wal_checkpoint(TRUNCATE)');
    w.close();
  },
  async load(dir, symbols) {
    db = new Sqlite!(join(dir, 'bars.sqlite'), { readonly: true });
    const query = db.prepare('SELECT time, open, high, low, close, volume, adj_close FROM bars WHERE symbol = ? ORDER BY time').raw(true);
    const out: SeriesColumns[] = [];
    for (const s of symbols) {
      const rows = query.all(s) as number[][];
      const cols = allocateColumns(rows.length);
      const { time, open, high, low, close, volume, adjClose } = cols;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        time[i] = r[0]!;
        open[i] = r[1]!;
        high[i] = r[2]!;
        low[i] = r[3]!;
        close[i] = r[4]!;
        volume[i] = r[5]!;
        adjClose[i] = r[6] ?? NaN;
      }
      out.push(cols);
    }
    return out;
  },
  async close() {
    db?.close();
  },
};
