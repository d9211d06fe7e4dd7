/**
 * What an ElectedBarStore does in each role: lead (own the LevelDB and serve it), follow (use the
 * leader's over its socket), or hold the dir exclusively (no server). One interface, so the
 * elected store delegates without caring which.
 */
import { BarcacheError, ErrorCode } from '../../../errors.js';
import type { BarStore, SeriesLease, SeriesMeta, SeriesWrite } from '../bar-store.js';
import type { LevelBarStore } from '../level-bar-store.js';
import type { RemoteBarStore } from './remote-bar-store.js';
import type { StoreServer } from './store-server.js';

export type RoleKind = 'leader' | 'follower' | 'exclusive';

export interface StoreRole {
  readonly kind: RoleKind;
  /** The store that answers reads in this role. */
  readonly store: BarStore;
  /** The pid of the process that owns the database in this role. */
  readonly leaderPid: number;
  /** True once this role can no longer serve (the leader is gone); the elected store re-elects. */
  readonly lost: boolean;
  markLost(): void;
  /** commitMany carrying this process's fill-lease tokens (checked by the leader for followers). */
  commit(writes: SeriesWrite[], tokens: Record<string, number>): Promise<SeriesMeta[]>;
  acquire(id: string, signal?: AbortSignal): Promise<SeriesLease>;
  close(): Promise<void>;
}

let localKeys = 0;

export function leaderRole(store: LevelBarStore, server: StoreServer): StoreRole {
  return {
    kind: 'leader',
    store,
    leaderPid: process.pid,
    lost: false,
    markLost() {},
    commit: (writes) => store.commitMany(writes),
    async acquire(id, signal) {
      const key = `local-${++localKeys}`;
      if (signal?.aborted) throw aborted(id);
      const onAbort = () => server.leases.release('local', key);
      signal?.addEventListener('abort', onAbort, { once: true });
      let token: number;
      try {
        token = await server.leases.acquire(id, 'local', key);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      let released = false;
      return {
        token,
        async release() {
          if (released) return;
          released = true;
          server.leases.release('local', key);
        },
      };
    },
    async close() {
      await server.close();
      await store.close();
    },
  };
}

export function followerRole(store: RemoteBarStore): StoreRole {
  let lost = false;
  store.onLost(() => (lost = true));
  return {
    kind: 'follower',
    store,
    leaderPid: store.leaderPid ?? 0,
    get lost() {
      return lost || store.lost;
    },
    markLost() {
      lost = true;
      void store.close();
    },
    commit: (writes, tokens) => store.commitFenced(writes, tokens),
    acquire: (id, signal) => store.lease(id, signal === undefined ? {} : { signal }),
    close: () => store.close(),
  };
}

export function exclusiveRole(store: LevelBarStore, beforeClose: () => Promise<void>): StoreRole {
  return {
    kind: 'exclusive',
    store,
    leaderPid: process.pid,
    lost: false,
    markLost() {},
    commit: (writes) => store.commitMany(writes),
    acquire: (id, signal) => store.lease(id, signal === undefined ? {} : { signal }),
    async close() {
      await beforeClose().catch(() => undefined);
      await store.close();
    },
  };
}

function aborted(id: string): BarcacheError {
  return new BarcacheError(ErrorCode.ABORTED, `waiting for the fill lease on ${id} was cancelled`, { details: { id } });
}
