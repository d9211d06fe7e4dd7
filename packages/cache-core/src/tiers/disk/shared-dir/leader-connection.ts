import net from 'node:net';
import { BarcacheError, ErrorCode } from '../../../errors.js';
import { encodeFrame, FrameReader, type Frame } from './frames.js';
import { barcacheVersion, describePeer, fromWireError, LeaderLostError, STORE_PROTOCOL_VERSION, type Hello, type WireError } from './store-protocol.js';

export interface LeaderConnectionOptions {
  socketPath: string;
  /**
   * A leader that sends nothing for this long while a request waits (not even the answer to a
   * ping) is unresponsive: every waiting request rejects with LEADER_UNRESPONSIVE. Default 20 s.
   */
  leaderTimeoutMs?: number;
  /** The pid leader.json names, for errors before the hello names it. */
  expectedPid?: number;
  label?: string;
  /** Tests only: pretend to speak another protocol version. */
  protocolVersion?: number;
}

interface Pending {
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
}

export const DEFAULT_LEADER_TIMEOUT_MS = 20_000;

/**
 * A follower's connection to the leader: request/response over frames, with pings while anything
 * waits so that a hung leader is told apart from a slow answer. When the connection ends, every
 * waiting request rejects with LeaderLostError (the store retries it with the next leader).
 */
export class LeaderConnection {
  readonly #socket: net.Socket;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  /** Requests sent so far (tests and diagnostics: a batch counts once). */
  requestsSent = 0;
  #lastHeard = performance.now();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #closeError: Error | undefined;
  #onClose: (() => void)[] = [];
  leaderPid: number;
  leaderHello: Hello | undefined;

  private constructor(socket: net.Socket, options: LeaderConnectionOptions) {
    this.#socket = socket;
    this.#timeoutMs = options.leaderTimeoutMs ?? DEFAULT_LEADER_TIMEOUT_MS;
    this.leaderPid = options.expectedPid ?? 0;
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      this.#lastHeard = performance.now();
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch (err) {
        this.#fail(new LeaderLostError(`malformed frame from the leader: ${(err as Error).message}`));
        return;
      }
      for (const f of frames) this.#onFrame(f);
    });
    socket.on('error', (err) => this.#fail(new LeaderLostError(`connection to the Barcache leader failed: ${err.message}`)));
    socket.on('close', () => this.#fail(new LeaderLostError(`the Barcache leader (pid ${this.leaderPid}) closed the connection`)));
  }

  /** Connects and exchanges hellos. Rejects with PROTOCOL_MISMATCH, LEADER_UNRESPONSIVE or LeaderLostError. */
  static async connect(options: LeaderConnectionOptions): Promise<LeaderConnection> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(options.socketPath);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', (err) => reject(new LeaderLostError(`no Barcache leader listening at ${options.socketPath}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
    });
    const conn = new LeaderConnection(socket, options);
    const ours: Hello = { protocol: options.protocolVersion ?? STORE_PROTOCOL_VERSION, barcache: barcacheVersion(), pid: process.pid, ...(options.label ? { label: options.label } : {}) };
    try {
      const reply = await conn.request('hello', { hello: ours });
      const theirs = reply.header.hello as Hello;
      conn.leaderHello = theirs;
      conn.leaderPid = theirs.pid;
      if (theirs.protocol !== ours.protocol) {
        throw new BarcacheError(ErrorCode.PROTOCOL_MISMATCH, `The Barcache leader pid ${theirs.pid} runs ${describePeer(theirs)}; this process runs ${describePeer(ours)}`, {
          details: { ours, theirs },
        });
      }
    } catch (err) {
      conn.close();
      throw err;
    }
    return conn;
  }

  get closed(): boolean {
    return this.#closed;
  }

  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#onClose.push(fn);
  }

  /** Sends one request; resolves with the response frame, rejects with the leader's error. */
  request(op: string, fields: Record<string, unknown> = {}, blobs?: Uint8Array[]): Promise<Frame> {
    if (this.#closed) return Promise.reject(this.#closeError ?? new LeaderLostError('connection closed'));
    const id = ++this.#nextId;
    this.requestsSent++;
    if (this.#pending.size === 0) this.#lastHeard = performance.now();
    const p = new Promise<Frame>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#write(encodeFrame({ t: 'req', id, op, ...fields }, blobs));
    this.#watch();
    return p;
  }

  /** Sends a request whose answer nobody waits for (a release after an abort). */
  send(op: string, fields: Record<string, unknown> = {}): void {
    if (this.#closed) return;
    const id = ++this.#nextId;
    this.#write(encodeFrame({ t: 'req', id, op, ...fields }));
  }

  #write(bufs: Buffer[]): void {
    this.#socket.cork();
    for (const b of bufs) this.#socket.write(b);
    process.nextTick(() => this.#socket.uncork());
  }

  /** Ends the connection; every waiting request rejects with `reason` (default: closed by this process). */
  close(reason?: Error): void {
    this.#fail(reason ?? new LeaderLostError('connection closed by this process'));
  }

  #watch(): void {
    if (this.#timer !== undefined) return;
    const every = Math.max(5, Math.floor(this.#timeoutMs / 4));
    this.#timer = setInterval(() => {
      if (this.#pending.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        return;
      }
      const silent = performance.now() - this.#lastHeard;
      if (silent > this.#timeoutMs) {
        this.#fail(
          new BarcacheError(
            ErrorCode.LEADER_UNRESPONSIVE,
            `The Barcache leader pid ${this.leaderPid} has not answered for ${Math.round(silent)} ms (hung, not dead: it still holds the cache dir). Once it exits, another process takes over.`,
            { details: { pid: this.leaderPid, silentMs: Math.round(silent) } },
          ),
        );
        return;
      }
      this.#write(encodeFrame({ t: 'ping' }));
    }, every);
    this.#timer.unref();
  }

  #onFrame(f: Frame): void {
    const h = f.header;
    if (h.t !== 'res' || typeof h.id !== 'number') return;
    const p = this.#pending.get(h.id);
    if (p === undefined) return;
    this.#pending.delete(h.id);
    if (h.error !== undefined) p.reject(fromWireError(h.error as WireError, this.leaderPid));
    else p.resolve(f);
  }

  #fail(err: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = err;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#socket.destroy();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(err);
    for (const fn of this.#onClose.splice(0)) fn();
  }
}
