import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BarcacheError, ErrorCode, isBarcacheError } from '../../../errors.js';
import type { BarStore, BarStoreSupports, BlockReadOptions, BlockReadResult, SeriesLease, SeriesMeta, SeriesWrite } from '../bar-store.js';
import { checkSeriesId } from '../block-commit.js';
import { electRole } from './election.js';
import { assertLocalFilesystem } from './filesystem-check.js';
import { LeaderLostError } from './store-protocol.js';
import type { RoleKind, StoreRole } from './store-roles.js';

export interface ElectedBarStoreOptions {
  /** The cache dir (the database is `<dir>/db`). */
  dir: string;
  /**
   * How long open() waits when the dir is locked and no leader answers (an exclusive holder, or
   * another version without a server), then throws LOCKED naming the holder. Default 2000 ms.
   * With `exclusive`, how long it waits for the lock.
   */
  lockTimeoutMs?: number;
  /** How long a failover may take (the old leader gone, a new one elected). Default 30 s. */
  failoverTimeoutMs?: number;
  /** A leader silent this long while a request waits is LEADER_UNRESPONSIVE. Default 20 s. */
  leaderTimeoutMs?: number;
  /** Take the database for this process alone (repair): no leader, no followers. */
  exclusive?: boolean;
  processLabel?: string;
  now?: () => number;
  /** Tests only: speak (and serve) another protocol version. */
  protocolVersion?: number;
}

const BASE_SUPPORTS: BarStoreSupports = Object.freeze({ persistent: true, checksums: true });

interface HeldLease {
  id: string;
  role: StoreRole;
  inner: SeriesLease;
  token: number;
  moving?: Promise<void>;
  /** The series' meta (JSON) as this holder last read or committed it under the lease. */
  seen?: string;
}

/**
 * The BarStore a cache uses on a disk dir shared by many processes. The first to take LevelDB's
 * lock leads (serves its store over a socket); every other instance follows through a
 * RemoteBarStore. When the leader goes, a follower takes the lock and leads, the others reconnect,
 * and calls that were in flight run again, so callers never see the change. A fill lease taken
 * under one leader is taken again under the next before a commit that relies on it.
 */
export class ElectedBarStore implements BarStore {
  /** The current role's store's (a follower reads many series at once); before open, the basics. */
  get supports(): BarStoreSupports {
    return this.#role?.store.supports ?? BASE_SUPPORTS;
  }
  readonly dir: string;
  readonly #o: Required<Pick<ElectedBarStoreOptions, 'lockTimeoutMs' | 'failoverTimeoutMs'>> & ElectedBarStoreOptions;
  #state: 'closed' | 'opening' | 'open' | 'closing' = 'closed';
  #role: StoreRole | undefined;
  #electing: Promise<StoreRole> | undefined;
  readonly #held = new Map<string, HeldLease>();
  /** How many times this store has changed leader (tests and stats). */
  failovers = 0;

  constructor(options: ElectedBarStoreOptions) {
    if (typeof options?.dir !== 'string' || options.dir.length === 0) throw new TypeError('ElectedBarStore: dir must be a non-empty string');
    this.dir = path.resolve(options.dir);
    this.#o = { lockTimeoutMs: 2000, failoverTimeoutMs: 30_000, ...options };
  }

  /** This instance's role now: 'leader', 'follower' or 'exclusive' (undefined while closed or electing). */
  get role(): RoleKind | undefined {
    return this.#role?.lost === false ? this.#role.kind : undefined;
  }

  get leaderPid(): number | undefined {
    return this.#role?.leaderPid;
  }

  async open(): Promise<void> {
    if (this.#state === 'open') return;
    if (this.#state !== 'closed') throw new TypeError(`ElectedBarStore: cannot open while ${this.#state}`);
    this.#state = 'opening';
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await assertLocalFilesystem(this.dir);
      this.#role = await this.#electWithin(this.#o.lockTimeoutMs);
      this.#state = 'open';
    } catch (err) {
      this.#state = 'closed';
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') return;
    this.#state = 'closing';
    try {
      await this.#electing?.catch(() => undefined);
      for (const held of this.#held.values()) await held.inner.release().catch(() => undefined);
      this.#held.clear();
      await this.#role?.close();
    } finally {
      this.#role = undefined;
      this.#state = 'closed';
    }
  }

  async getMeta(id: string): Promise<SeriesMeta | undefined> {
    const meta = await this.#call((r) => r.store.getMeta(id));
    const held = this.#held.get(id);
    if (held !== undefined) held.seen = JSON.stringify(meta ?? null);
    return meta;
  }

  listMeta(): Promise<SeriesMeta[]> {
    return this.#call((r) => r.store.listMeta());
  }

  readBlocks(id: string, starts: readonly number[], options?: BlockReadOptions): Promise<BlockReadResult> {
    return this.#call((r) => r.store.readBlocks(id, starts, options));
  }

  async commit(write: SeriesWrite): Promise<SeriesMeta> {
    const [meta] = await this.commitMany([write]);
    return meta!;
  }

  async commitMany(writes: SeriesWrite[]): Promise<SeriesMeta[]> {
    const stored = await this.#call(async (r) => {
      const tokens: Record<string, number> = {};
      for (const w of Array.isArray(writes) ? writes : []) {
        const id = w?.meta?.id;
        if (typeof id === 'string' && this.#held.has(id)) tokens[id] = await this.#tokenUnder(r, this.#held.get(id)!);
      }
      return r.commit(writes, tokens);
    });
    for (const meta of stored) {
      const held = this.#held.get(meta.id);
      if (held !== undefined) held.seen = JSON.stringify(meta);
    }
    return stored;
  }

  deleteSeries(id: string): Promise<void> {
    return this.#call((r) => r.store.deleteSeries(id));
  }

  totalBytes(): Promise<number> {
    return this.#call((r) => r.store.totalBytes());
  }

  async lease(id: string, options: { signal?: AbortSignal } = {}): Promise<SeriesLease> {
    this.#assertOpen();
    checkSeriesId(id);
    const held = await this.#call<HeldLease>(async (role) => {
      const inner = await role.acquire(id, options.signal);
      return { id, role, inner, token: inner.token };
    });
    this.#held.set(id, held);
    let released = false;
    return {
      get token() {
        return held.token;
      },
      release: async () => {
        if (released) return;
        released = true;
        if (this.#held.get(id) === held) this.#held.delete(id);
        await held.moving?.catch(() => undefined);
        await held.inner.release().catch((err: unknown) => {
          if (!(err instanceof LeaderLostError) && !isBarcacheError(err, ErrorCode.LEADER_UNRESPONSIVE)) throw err;
        });
      },
    };
  }

  /**
   * The lease's token under `role`, taking the lease again there first if an earlier leader
   * granted it. The holder's view is then checked: if the series changed since the holder last
   * read or committed it (another process filled it while the lease was between leaders), the
   * commit is refused with LEASE_LOST, so that it is re-planned rather than built on a stale meta.
   */
  async #tokenUnder(role: StoreRole, held: HeldLease): Promise<number> {
    while (held.role !== role) {
      held.moving ??= (async () => {
        try {
          const inner = await role.acquire(held.id);
          const now = JSON.stringify((await role.store.getMeta(held.id)) ?? null);
          const stale = held.seen !== undefined && held.seen !== now;
          Object.assign(held, { role, inner, token: inner.token, seen: now });
          if (stale) {
            throw new BarcacheError(
              ErrorCode.LEASE_LOST,
              `the fill lease on ${held.id} passed through a change of leader and the series changed meanwhile; nothing was written (fill again)`,
              { details: { id: held.id } },
            );
          }
        } finally {
          held.moving = undefined;
        }
      })();
      await held.moving;
    }
    return held.token;
  }

  #electWithin(waitMs: number): Promise<StoreRole> {
    return electRole(this.dir, this.#o, waitMs, () => this.#state === 'closing' || this.#state === 'closed');
  }

  #assertOpen(): void {
    if (this.#state !== 'open') throw new BarcacheError(ErrorCode.CLOSED, `ElectedBarStore at ${this.dir} is not open (${this.#state})`);
  }

  /** Runs `fn` with the current role; when the leader is lost meanwhile, re-elects and runs it again. */
  async #call<T>(fn: (role: StoreRole) => Promise<T>): Promise<T> {
    this.#assertOpen();
    for (;;) {
      const role = await this.#current();
      try {
        return await fn(role);
      } catch (err) {
        if (!(err instanceof LeaderLostError)) {
          if (isBarcacheError(err, ErrorCode.LEADER_UNRESPONSIVE)) role.markLost();
          throw err;
        }
        role.markLost();
        if (this.#state !== 'open') throw new BarcacheError(ErrorCode.CLOSED, `ElectedBarStore at ${this.dir} was closed`);
      }
    }
  }

  async #current(): Promise<StoreRole> {
    const role = this.#role;
    if (role !== undefined && !role.lost) return role;
    this.#electing ??= (async () => {
      try {
        await role?.close().catch(() => undefined);
        const next = await this.#electWithin(this.#o.failoverTimeoutMs);
        if (role !== undefined) this.failovers++;
        this.#role = next;
        return next;
      } finally {
        this.#electing = undefined;
      }
    })();
    return this.#electing;
  }
}
