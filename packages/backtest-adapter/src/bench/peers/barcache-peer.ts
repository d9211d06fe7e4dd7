import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCache, type BarCache, type BarProvider } from '@barcache/cache-core';
import type { Peer } from './peer.js';
import { PEER_END, PEER_START, packColumns, peerBars, unpackColumns, type SeriesColumns } from './peer-data.js';

const PROVIDER = 'peers';
const D = 86_400_000;
let cache: BarCache | undefined;

/** Serves the peers' bars (the fill); refuses during the load, which must not need it. */
function provider(refuse: boolean): BarProvider {
  return {
    name: PROVIDER,
    fetchBars: async (req) => {
      if (refuse) throw new Error('the load must not call the provider');
      return { bars: peerBars(req.symbol).filter((b) => b.time >= req.start && b.time < req.end) };
    },
  };
}

const plan = (symbols: string[]) => ({ symbols, interval: '1d' as const, start: PEER_START, end: PEER_END - D });

/** Barcache as a backtest starting on a warm dir uses it: `openCache` + `prefetch`, no provider call. */
export const barcachePeer: Peer = {
  id: 'barcache',
  label: 'Barcache openCache + prefetch, no provider call',
  // Every peer's library is loaded before the clock starts. Barcache loads its disk store (`level`)
  // and its internals on the first openCache (so that importing it stays cheap): open and close a
  // throwaway cache here, so the timed load is the load alone, as it is for the other peers.
  async prepare() {
    const scratch = await mkdtemp(join(tmpdir(), 'barcache-peer-prepare-'));
    try {
      const c = await openCache({ dir: scratch, provider: provider(true), offline: true, statsSnapshots: false });
      await c.close();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
  async write(dir, symbols) {
    const c = await openCache({ dir, provider: provider(false), statsSnapshots: false, memory: { maxBytes: 2 ** 31 } });
    try {
      const { report: r } = await c.prefetch(plan(symbols));
      if (r.failed.length > 0) throw new Error(`Barcache fill failed for ${r.failed.length} symbols`);
    } finally {
      await c.close();
    }
  },
  async load(dir, symbols) {
    cache = await openCache({ dir, provider: provider(true), offline: true, statsSnapshots: false, memory: { maxBytes: 2 ** 31 } });
    // The session stays open (its series pinned) until close(): the columns are read afterwards.
    const { report: r } = await cache.prefetch(plan(symbols));
    if (r.failed.length > 0) throw new Error(`Barcache load failed for ${r.failed.length} symbols: ${r.symbols.find((s) => s.error)?.error?.message}`);
    const c = cache;
    return (): SeriesColumns[] =>
      symbols.map((symbol) => unpackColumns(packColumns(c.peekBars({ symbol, interval: '1d', start: PEER_START, end: PEER_END - 1 }) ?? [])));
  },
  async close() {
    await cache?.close();
  },
};

/** The same files and load with one of Barcache's speed-ups turned off by its environment switch. */
function barcacheWithout(id: string, label: string, env: string): Peer {
  return {
    ...barcachePeer,
    id,
    label,
    dataOf: 'barcache',
    async load(dir, symbols) {
      // Set here, in the load's own process (prepare also runs in the bench's, whose env children inherit).
      process.env[env] = 'off';
      return barcachePeer.load(dir, symbols);
    },
  };
}

/** Without huge pages: what a machine without THP, or without a C compiler for the madvise module, gets. */
export const barcacheSmallPagesPeer = barcacheWithout('barcache-small-pages', 'Barcache, the same load without huge pages', 'BARCACHE_HUGE_PAGES');

/** Decoding in JavaScript only: what the WebAssembly decoder buys. */
export const barcacheJsDecoderPeer = barcacheWithout('barcache-js-decoder', 'Barcache, the same load decoding in JavaScript only', 'BARCACHE_WASM_DECODER');
