/**
 * One cold-start measurement for the shared-tier bench, in a process of its own (as a fresh
 * serverless worker would be): open a cache on `dir`, optionally with the shared tier, prefetch
 * the symbols, print one JSON line { ms, bars, providerCalls, shared }.
 *
 *   node shared-load-process.js '{"dir":…,"redisUrl":…|null,"symbols":[…],"start":…,"end":…,"latencyMs":20}'
 */
import { openCache } from '@barcache/cache-core';
import { SimulatedProvider } from './sources/simulated-provider.js';

interface Job {
  dir: string;
  redisUrl: string | null;
  symbols: string[];
  start: string;
  end: string;
  latencyMs: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const t0 = performance.now();
const cache = await openCache({
  dir: job.dir,
  provider: new SimulatedProvider(job.latencyMs, 50),
  shared: job.redisUrl === null ? false : { url: job.redisUrl },
  statsSnapshots: false,
  now: () => Date.parse('2025-03-03T21:00:00Z'),
});
const session = await cache.prefetch({ symbols: job.symbols, interval: '1d', start: job.start, end: job.end });
const ms = performance.now() - t0;
if (session.report.failed.length > 0) throw new Error(`failed: ${session.report.failed.join(', ')}`);
const stats = cache.stats();
const bars = session.report.symbols.reduce((n, s) => n + s.bars, 0);
session.release();
await cache.close();
process.stdout.write(`${JSON.stringify({ ms, bars, providerCalls: stats.provider.calls, shared: stats.shared ?? null })}\n`);
