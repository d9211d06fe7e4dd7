// The store contract for the two ways a process follows the leader of a shared cache dir.
import { afterEach, expect } from 'vitest';
import { makeTempDir, type TempDir } from '@barcache/test-support';
import type { BarStore } from '../src/tiers/disk/bar-store.js';
import { ElectedBarStore } from '../src/tiers/disk/shared-dir/elected-bar-store.js';
import { RemoteBarStore } from '../src/tiers/disk/shared-dir/remote-bar-store.js';
import { readLeaderRecord } from '../src/tiers/disk/shared-dir/socket-location.js';
import { flipBlockBytes } from './helpers/shared-dir.js';
import { runStoreContract, type StoreFixture } from './store-contract.js';

const dirs: TempDir[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => d.cleanup()));
});

/** A leader ElectedBarStore on a fresh dir, and a follower made by `follow`. */
async function followerFixture(follow: (dir: string) => Promise<BarStore>): Promise<StoreFixture> {
  const tmp = makeTempDir('barcache-shared-');
  dirs.push(tmp);
  let leader = new ElectedBarStore({ dir: tmp.path });
  await leader.open();
  expect(leader.role).toBe('leader');
  let store = await follow(tmp.path);
  const fx: StoreFixture = {
    store,
    async corrupt(id, blockStart) {
      await store.close();
      await leader.close();
      await flipBlockBytes(tmp.path, id, blockStart);
      leader = new ElectedBarStore({ dir: tmp.path });
      await leader.open();
      store = await follow(tmp.path);
      fx.store = store;
    },
    async reopen() {
      await store.close();
      store = await follow(tmp.path);
      fx.store = store;
      return store;
    },
    async cleanup() {
      await store.close();
      await leader.close();
    },
  };
  return fx;
}

runStoreContract('RemoteBarStore (follower over the leader socket)', () =>
  followerFixture(async (dir) => {
    const record = await readLeaderRecord(dir);
    const store = new RemoteBarStore({ socketPath: record!.socket, expectedPid: record!.pid });
    await store.open();
    return store;
  }),
);

runStoreContract('ElectedBarStore as a follower', () =>
  followerFixture(async (dir) => {
    const store = new ElectedBarStore({ dir });
    await store.open();
    expect(store.role).toBe('follower');
    return store;
  }),
);

runStoreContract('ElectedBarStore as the leader', async () => {
  const tmp = makeTempDir('barcache-shared-');
  dirs.push(tmp);
  let store = new ElectedBarStore({ dir: tmp.path });
  await store.open();
  const fx: StoreFixture = {
    store,
    async corrupt(id, blockStart) {
      await store.close();
      await flipBlockBytes(tmp.path, id, blockStart);
      await store.open();
    },
    async reopen() {
      await store.close();
      store = new ElectedBarStore({ dir: tmp.path });
      await store.open();
      fx.store = store;
      return store;
    },
    cleanup: () => store.close(),
  };
  return fx;
});
