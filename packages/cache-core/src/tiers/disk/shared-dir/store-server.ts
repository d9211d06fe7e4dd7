import { chmod, rename, unlink } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BarcacheError, ErrorCode } from '../../../errors.js';
import type { BlockInfo } from '../bar-store.js';
import { checkSeriesId } from '../block-commit.js';
import type { LevelBarStore } from '../level-bar-store.js';
import { encodeFrame, FrameReader, type Frame } from './frames.js';
import { LeaderLeases } from './leader-leases.js';
import { parseBatchItems, type BatchItem, type BatchResult } from './read-batch.js';
import { ensurePrivateDir, removeLeaderRecord, writeLeaderRecord, type LeaderRecord } from './socket-location.js';
import {
  barcacheVersion,
  decodeWrites,
  describePeer,
  RETRY_ERROR,
  STORE_PROTOCOL_VERSION,
  toWireError,
  type Hello,
  type WireError,
} from './store-protocol.js';

export interface StoreServerOptions {
  /** The cache dir (leader.json goes there). */
  dir: string;
  /** The open store this process leads. */
  store: LevelBarStore;
  socketPath: string;
  /** Tests only: pretend to speak another protocol version. */
  protocolVersion?: number;
}

interface Peer {
  id: string;
  socket: net.Socket;
  hello?: Hello;
}

/**
 * The leader's side of the shared cache dir: serves its LevelBarStore to followers over a unix
 * socket (docs/store-protocol.md) and grants fill leases to every process, itself included.
 */
export class StoreServer {
  readonly leases = new LeaderLeases();
  readonly #opts: StoreServerOptions;
  readonly #protocol: number;
  #server: net.Server | undefined;
  #record: LeaderRecord | undefined;
  readonly #peers = new Set<Peer>();
  #inFlight = new Set<Promise<unknown>>();
  #closing = false;
  #nextPeer = 0;

  constructor(options: StoreServerOptions) {
    this.#opts = options;
    this.#protocol = options.protocolVersion ?? STORE_PROTOCOL_VERSION;
  }

  get socketPath(): string {
    return this.#opts.socketPath;
  }

  /**
   * Listens and records itself in leader.json. Call only while holding the dir's lock: a socket
   * file already there is a crashed leader's, and is removed.
   */
  async start(): Promise<void> {
    const socketPath = this.#opts.socketPath;
    const isPipe = process.platform === 'win32';
    if (!isPipe) {
      if (path.dirname(socketPath) !== this.#opts.dir) await ensurePrivateDir(path.dirname(socketPath));
      await unlink(socketPath).catch(() => {});
    }
    // Bind under a temporary name, make it owner-only, then rename it into place: nobody can
    // connect through a socket that is briefly more open than 0600.
    const bindPath = isPipe ? socketPath : `${socketPath}.${process.pid}.tmp`;
    if (!isPipe) await unlink(bindPath).catch(() => {});
    const server = net.createServer((socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(bindPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => {});
    this.#server = server;
    if (!isPipe) {
      await chmod(bindPath, 0o600);
      await rename(bindPath, socketPath);
    }
    this.#record = {
      pid: process.pid,
      hostname: os.hostname(),
      socket: socketPath,
      protocol: this.#protocol,
      barcache: barcacheVersion(),
      startedAt: Date.now(),
    };
    await writeLeaderRecord(this.#opts.dir, this.#record);
  }

  /**
   * Stops serving: new requests are answered "retry with the next leader", requests already
   * running finish, then every connection is closed, leader.json and the socket are removed. The
   * caller closes the store (releasing the lock) afterwards.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#server?.close();
    this.leases.rejectWaiting(() => retryError());
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    if (this.#record !== undefined) await removeLeaderRecord(this.#opts.dir, this.#record).catch(() => {});
    if (process.platform !== 'win32') await unlink(this.#opts.socketPath).catch(() => {});
    for (const peer of this.#peers) peer.socket.destroy();
    this.#peers.clear();
  }

  #accept(socket: net.Socket): void {
    const peer: Peer = { id: `peer-${++this.#nextPeer}`, socket };
    if (this.#closing) {
      socket.destroy();
      return;
    }
    this.#peers.add(peer);
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const f of frames) this.#onFrame(peer, f);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#peers.delete(peer);
      this.leases.releaseOwner(peer.id, () => new BarcacheError(ErrorCode.ABORTED, 'the follower disconnected'));
    });
  }

  #send(peer: Peer, header: Record<string, unknown>, blobs?: Uint8Array[]): void {
    if (peer.socket.destroyed) return;
    const bufs = encodeFrame(header, blobs);
    peer.socket.cork();
    for (const b of bufs) peer.socket.write(b);
    process.nextTick(() => peer.socket.uncork());
  }

  #onFrame(peer: Peer, frame: Frame): void {
    const h = frame.header;
    if (h.t === 'ping') return this.#send(peer, { t: 'pong' });
    if (h.t !== 'req' || typeof h.id !== 'number') return void peer.socket.destroy();
    const id = h.id;
    if (peer.hello === undefined) {
      if (h.op !== 'hello') return void peer.socket.destroy();
      const theirs = h.hello as Hello;
      const ours: Hello = { protocol: this.#protocol, barcache: barcacheVersion(), pid: process.pid };
      if (theirs?.protocol !== this.#protocol) {
        const err = new BarcacheError(
          ErrorCode.PROTOCOL_MISMATCH,
          `The cache dir ${this.#opts.dir} is led by pid ${process.pid} running ${describePeer(ours)}; this process runs ${describePeer(theirs ?? { protocol: NaN, barcache: 'unknown' })}. Use one Barcache version on one cache dir.`,
          { details: { ours: theirs, theirs: ours, dir: this.#opts.dir } },
        );
        this.#send(peer, { t: 'res', id, error: toWireError(err) });
        peer.socket.end();
        return;
      }
      peer.hello = theirs;
      return this.#send(peer, { t: 'res', id, hello: ours });
    }
    if (this.#closing) return this.#send(peer, { t: 'res', id, error: RETRY_ERROR });
    const run = this.#handle(peer, h, frame.blobs).then(
      ([fields, blobs]) => this.#send(peer, { t: 'res', id, ...fields }, blobs),
      (err: unknown) => this.#send(peer, { t: 'res', id, error: this.#closing && isRetry(err) ? RETRY_ERROR : toWireError(err) }),
    );
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
  }

  async #handle(peer: Peer, h: Record<string, unknown>, blobs: Uint8Array[]): Promise<[Record<string, unknown>, Uint8Array[]?]> {
    const store = this.#opts.store;
    switch (h.op) {
      case 'getMeta':
        return [{ meta: (await store.getMeta(h.seriesId as string)) ?? null }];
      case 'listMeta':
        return [{ metas: await store.listMeta() }];
      case 'totalBytes':
        return [{ bytes: await store.totalBytes() }];
      case 'readBlocks': {
        const out: Uint8Array[] = [];
        return [await this.#readBlocks(h.seriesId as string, h.starts as number[], out), out];
      }
      case 'batch': {
        const items = parseBatchItems(h.items);
        const parts = await Promise.all(items.map((item) => this.#batchItem(item)));
        return [{ results: parts.map((p) => p.result) }, parts.flatMap((p) => p.blobs)];
      }
      case 'commit': {
        const writes = decodeWrites(h.writes, blobs);
        const tokens = (h.tokens ?? {}) as Record<string, number>;
        for (const [sid, token] of Object.entries(tokens)) {
          if (!this.leases.isCurrent(sid, token)) {
            throw new BarcacheError(
              ErrorCode.LEASE_LOST,
              `commit to ${sid} refused: its fill lease (token ${token}) is no longer current (released and granted again); nothing was written`,
              { details: { id: sid, token } },
            );
          }
        }
        return [{ metas: await store.commitMany(writes) }];
      }
      case 'deleteSeries':
        await store.deleteSeries(h.seriesId as string);
        return [{}];
      case 'lease': {
        checkSeriesId(h.seriesId);
        const token = await this.leases.acquire(h.seriesId, peer.id, String(h.leaseId));
        // The follower may have gone while it waited: then the grant goes straight back.
        if (peer.socket.destroyed) this.leases.release(peer.id, String(h.leaseId));
        return [{ token }];
      }
      case 'release':
        this.leases.release(peer.id, String(h.leaseId));
        return [{}];
      default:
        throw new TypeError(`store protocol: unknown op ${JSON.stringify(h.op)}`);
    }
  }

  /** The found blocks' bytes go to `out` (as LevelDB holds them: no copy, no re-encoding). */
  async #readBlocks(seriesId: string, starts: number[], out: Uint8Array[]): Promise<{ found: number[]; listed: BlockInfo[] }> {
    const read = await this.#opts.store.readEncodedBlocks(seriesId, starts);
    const found: number[] = [];
    read.encoded.forEach((bytes, i) => {
      if (bytes === undefined) return;
      found.push(read.starts[i]!);
      out.push(bytes);
    });
    return { found, listed: read.listed };
  }

  /** One item of a batch; its failure is its own answer (the other items still get theirs). */
  async #batchItem(item: BatchItem): Promise<{ result: BatchResult; blobs: Uint8Array[] }> {
    const blobs: Uint8Array[] = [];
    try {
      if (item.op === 'getMeta') {
        const meta = (await this.#opts.store.getMeta(item.seriesId)) ?? null;
        const limit = typeof item.readAhead === 'number' ? item.readAhead : 0;
        if (meta === null || meta.blocks.length === 0 || meta.blocks.reduce((n, b) => n + b.bytes, 0) > limit) return { result: { meta }, blobs };
        try {
          const { found, listed } = await this.#readBlocks(item.seriesId, meta.blocks.map((b) => b.start), blobs);
          return { result: { meta, found, listed }, blobs };
        } catch (err) {
          // The read-ahead is a bonus: the meta is the answer (the follower's readBlocks will ask).
          if (this.#closing && isRetry(err)) throw err;
          return { result: { meta }, blobs: [] };
        }
      }
      const { found, listed } = await this.#readBlocks(item.seriesId, item.starts, blobs);
      return { result: { found, listed }, blobs };
    } catch (err) {
      if (this.#closing && isRetry(err)) throw err;
      return { result: { error: toWireError(err) }, blobs: [] };
    }
  }
}

class RetryError extends Error {}
function retryError(): Error {
  return new RetryError('the leader is closing');
}
function isRetry(err: unknown): boolean {
  return err instanceof RetryError || (err instanceof BarcacheError && err.code === ErrorCode.CLOSED);
}
