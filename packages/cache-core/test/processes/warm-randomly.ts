// Warms random quarters of random symbols, one getBars after another, until killed: the crash
// test kills it (SIGKILL) at many points and checks that every ledger claim has its bars.
import { openCache, YahooProvider } from '../../src/index.js';

const [dir, baseUrl, seedArg] = process.argv.slice(2);
const random = mulberry32(Number(seedArg ?? 1));

/** test-support's seeded PRNG, inlined so that the bundled child imports nothing but cache-core. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const cache = await openCache({
  dir: dir!,
  provider: new YahooProvider({ baseUrl: baseUrl! }),
  now: () => Date.parse('2025-03-03T21:00:00Z'),
  statsSnapshots: false,
  // Small enough that whole series are evicted now and then (deletions are crash-tested too).
  disk: { maxBytes: 300_000 },
});
for (let n = 0; ; n++) {
  if (n === 1) process.stdout.write('ready\n'); // the provider is loaded and one series committed
  const symbol = `K${Math.floor(random() * 6)}`;
  const year = 2008 + Math.floor(random() * 17);
  const month = Math.floor(random() * 4) * 3;
  const quarters = 1 + Math.floor(random() * 6);
  const start = Date.UTC(year, month, 1);
  const end = Date.UTC(year, month + quarters * 3, 1) - 1;
  await cache.getBars({ symbol, interval: '1d', start, end: Math.min(end, Date.UTC(2025, 2, 1)) });
}
