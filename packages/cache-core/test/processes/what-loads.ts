/**
 * Prints, as one JSON line, which packages a fresh process has loaded after each step:
 *   0. import('@barcache/cache-core') (from source), nothing else;
 *   1. open a cache with a custom provider;
 *   2. the first YahooProvider request (to a closed port: it fails, but the client is loaded);
 *   3. the first stats snapshot read;
 *   4. the first parsePriceFile (synchronous).
 * ESM packages are seen by resolve hooks; CommonJS ones (classic-level is required by level) by
 * require's module cache.
 *   node --import tsx what-loads.ts <record file> <temp dir>
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [recordFile, tmp] = process.argv.slice(2) as [string, string];
writeFileSync(recordFile, '');
register(pathToFileURL(join(import.meta.dirname, 'module-recorder-hooks.mjs')), { data: { file: recordFile } });

/** The packages (node_modules names) resolved so far. */
function packages(): string[] {
  const names = new Set<string>();
  for (const url of readFileSync(recordFile, 'utf8').split('\n')) {
    const m = /\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) names.add(m[1]!);
  }
  for (const file of Object.keys(createRequire(import.meta.url).cache)) {
    const m = /[\\/]node_modules[\\/](?:\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file);
    if (m) names.add(m[1]!.replace('\\', '/'));
  }
  return [...names].sort();
}

const started = performance.now();
const core = await import('../../src/index.js');
const importMs = performance.now() - started;
const atImport = packages();
const cache = await core.openCache({
  dir: join(tmp, 'cache'),
  statsSnapshots: false,
  provider: { name: 'custom', fetchBars: async () => ({ bars: [] }) },
});
await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-01-05' });
await cache.close();
const afterImport = packages();

await new core.YahooProvider({ baseUrl: 'http://127.0.0.1:1', retry: { retries: 0 } })
  .fetchBars({ symbol: 'AAPL', interval: '1d', start: Date.UTC(2024, 0, 2), end: Date.UTC(2024, 0, 5) })
  .catch(() => undefined);
const afterYahoo = packages();

mkdirSync(join(tmp, 'stats-dir', 'stats'), { recursive: true });
writeFileSync(join(tmp, 'stats-dir', 'stats', '123.json'), '{}');
await core.readStatsSnapshots(join(tmp, 'stats-dir'));
const afterStats = packages();

core.parsePriceFile('Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,100\n', 'one.csv');
const afterParse = packages();

console.log(JSON.stringify({ importMs, atImport, afterImport, afterYahoo, afterStats, afterParse }));
