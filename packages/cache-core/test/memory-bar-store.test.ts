import { MemoryBarStore } from '../src/tiers/disk/memory-bar-store.js';
import { runStoreContract } from './store-contract.js';

runStoreContract('MemoryBarStore', async () => {
  const store = new MemoryBarStore();
  await store.open();
  return {
    store,
    async corrupt(id, blockStart) {
      const bytes = store.peekEncodedBlock(id, blockStart);
      if (bytes === undefined) throw new Error(`no block ${id} @ ${blockStart}`);
      const i = bytes.length >> 1;
      bytes[i] = bytes[i]! ^ 0xff;
    },
    async lose(id, blockStart) {
      if (!store.loseEncodedBlock(id, blockStart)) throw new Error(`no block ${id} @ ${blockStart}`);
    },
    async cleanup() {
      await store.close();
    },
  };
});
