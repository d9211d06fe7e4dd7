import { arrowPeer } from './arrow-peer.js';
import { barcacheJsDecoderPeer, barcachePeer, barcacheSmallPagesPeer } from './barcache-peer.js';
import { levelJsonPeer } from './level-json-peer.js';
import { lmdbPeer } from './lmdb-peer.js';
import type { Peer } from './peer.js';
import { rawFilePeer } from './raw-file-peer.js';
import { sqlitePeer } from './sqlite-peer.js';

/** Every peer, the raw-file floor first (ratios are against it). */
export const PEERS: readonly Peer[] = [rawFilePeer, lmdbPeer, arrowPeer, barcachePeer, barcacheSmallPagesPeer, barcacheJsDecoderPeer, sqlitePeer, levelJsonPeer];

export function peerById(id: string): Peer {
  const p = PEERS.find((x) => x.id === id);
  if (p === undefined) throw new Error(`unknown peer ${id}`);
  return p;
}
