// One backtest worker of a fleet sharing a Redis tier: its own (empty) local dir, the seed workload
// (prefetch, then 62 days × (bar + 30-day lookback)), then one JSON line with what it read.
//   shared-worker.ts <dir> <yahooBaseUrl> <redisUrl> <cluster 0|1> <leaseTtlMs> <SYM,SYM,…> <start> <end>
import { createHash } from 'node:crypto';
import { openCache, YahooProvider } from '../../src/index.js';

const [dir, baseUrl, redisUrl, cluster, leaseTtlMs, symbolList, start, end] = process.argv.slice(2);
const symbols = symbolList!.split(',');
const DAY = 86_400_000;
const cache = await openCache({
  dir: dir!,
  provider: new YahooProvider({ baseUrl: baseUrl!, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 30_000 }),
  shared: { url: redisUrl!, cluster: cluster === '1', leaseTtlMs: Number(leaseTtlMs), leaseWaitMs: 60_000, commandTimeoutMs: 10_000 },
  now: () => Date.parse('2025-03-03T21:00:00Z'),
  statsSnapshots: false,
});
process.stdout.write('opened\n');
const session = await cache.prefetch({ symbols, interval: '1d', start: start!, end: end!, lookback: { days: 30 } });
const digest = createHash('sha256');
const s = Date.parse(`${start}T00:00:00Z`);
let reads = 0;
for (let day = 0; day < 62; day++) {
  const t = s + day * DAY;
  for (const symbol of symbols) {
    const bar = await cache.getBars({ symbol, interval: '1d', start: t, end: t });
    const lookback = await cache.getBars({ symbol, interval: '1d', start: t - 30 * DAY, end: t });
    digest.update(JSON.stringify([symbol, bar, lookback]));
    reads += 2;
  }
}
const whole = Object.fromEntries(await Promise.all(symbols.map(async (symbol) => [symbol, await cache.getBars({ symbol, interval: '1d', start: start!, end: end! })] as const)));
session.release();
const stats = cache.stats();
await cache.close();
process.stdout.write(`${JSON.stringify({ reads, digest: digest.digest('hex'), whole, failed: session.report.failed, stats })}\n`);
