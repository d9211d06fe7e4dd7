/**
 * Test helper: one loopback Yahoo chart server for the file and caches on it, each closed after
 * its test. Call it after `useTempDir` so the caches close before their dir is removed.
 */
import { afterEach } from 'vitest';
import { openCache, YahooProvider, type BarCache, type YahooProviderOptions } from '@barcache/cache-core';
import type { YahooChartServer } from '@barcache/test-support';
import { yahooServerPerFile } from '@barcache/test-support/vitest';

export interface CacheOnServerFixture {
  /** The file's server (read it inside tests); faults and recorded requests reset before each test. */
  readonly server: YahooChartServer;
  /** Opens a cache at `dir` whose YahooProvider talks to the server; closed after the test. */
  cacheAt(dir: string, options?: { offline?: boolean }): Promise<BarCache>;
}

/** `provider`: YahooProvider options besides `baseUrl` (e.g. a fast retry policy). */
export function cachesOnYahooServer(provider: Omit<YahooProviderOptions, 'baseUrl'> = {}): CacheOnServerFixture {
  const file = yahooServerPerFile();
  const open: BarCache[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });
  return {
    get server() {
      return file.server;
    },
    async cacheAt(dir, options = {}) {
      const cache = await openCache({ dir, provider: new YahooProvider({ ...provider, baseUrl: file.server.url }), statsSnapshots: false, ...options });
      open.push(cache);
      return cache;
    },
  };
}
