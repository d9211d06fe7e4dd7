import type { Level } from 'level';
import type { Peer } from './peer.js';
import { allocateColumns, peerBars, type SeriesColumns } from './peer-data.js';

interface JsonBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  a?: number;
}

let LevelClass: typeof Level | undefined;
let db: Level<string, JsonBar> | undefined;

/** Keys sort by symbol then time: 15 digits hold any epoch ms until the year 33658. */
const keyOf = (symbol: string, time: number) => `${symbol}!${String(time).padStart(15, '0')}`;

/** `level` (LevelDB) as most would use it: one JSON value per bar, read back by a range per symbol. */
export const levelJsonPeer: Peer = {
  id: 'level-json',
  label: '`level` with one JSON value per bar',
  async prepare() {
    LevelClass = (await import('level')).Level;
  },
  async write(dir, symbols) {
    await this.prepare!();
    const w = new LevelClass!<string, JsonBar>(dir, { valueEncoding: 'json' });
    await w.open();
    for (const s of symbols) {
      const bars = peerBars(s);
      await w.batch(
        bars.map((b) => ({ type: 'put' as const, key: keyOf(s, b.time), value: { t: b.time, o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, a: b.adjClose } })),
      );
    }
    await w.close();
  },
  async load(dir, symbols) {
    db = new LevelClass!<string, JsonBar>(dir, { valueEncoding: 'json' });
    await db.open();
    const out: SeriesColumns[] = [];
    for (const s of symbols) {
      const values = await db.values({ gte: `${s}!`, lt: `${s}"` }).all();
      const cols = allocateColumns(values.length);
      const { time, open, high, low, close, volume, adjClose } = cols;
      for (let i = 0; i < values.length; i++) {
        const b = values[i]!;
        time[i] = b.t;
        open[i] = b.o;
        high[i] = b.h;
        low[i] = b.l;
        close[i] = b.c;
        volume[i] = b.v;
        adjClose[i] = b.a ?? NaN;
      }
      out.push(cols);
    }
    return out;
  },
  async close() {
    await db?.close();
  },
};
