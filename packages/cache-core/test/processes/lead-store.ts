// Opens an ElectedBarStore on argv[2], commits `argv[3]` (a series id) with a few bars if given,
// prints "role <role> <pid>", and holds the dir until stdin ends (or it is killed).
import { BarColumns } from '../../src/bar-columns.js';
import { ElectedBarStore } from '../../src/tiers/disk/shared-dir/elected-bar-store.js';

const [dir, symbol] = process.argv.slice(2);
const store = new ElectedBarStore({ dir: dir!, processLabel: 'lead-store test process' });
await store.open();
if (symbol) {
  const id = `test|${symbol}|1d`;
  const start = Date.UTC(2020, 0, 1);
  const bars = Array.from({ length: 10 }, (_, i) => ({ time: start + i * 86_400_000, open: 1, high: 2, low: 0.5, close: 1 + i, volume: i }));
  await store.commit({
    meta: { provider: 'test', symbol, interval: '1d', id, ledger: { final: [{ start, end: start + 10 * 86_400_000 }], provisional: [] }, blocks: [], splits: [], lastAccessAt: 1 },
    put: new Map([[start, BarColumns.fromBars(bars)]]),
  });
}
process.stdout.write(`role ${store.role} ${process.pid}\n`);
process.stdin.resume();
process.stdin.on('end', () => void store.close().then(() => process.exit(0)));
