import { makeTempDir, startYahooChartServer, type TempDir, type YahooChartServer, type YahooChartServerOptions } from '@barcache/test-support';
import { openCache, YahooProvider, type BarCache, type OpenCacheOptions } from '@barcache/cache-core';
import { DAY_MS } from '../../src/intervals.js';

export const DAY = DAY_MS;

/** A fresh cache dir, a loopback Yahoo server, and the real YahooProvider pointed at it. */
export interface CacheFixture {
  server: YahooChartServer;
  tmp: TempDir;
  /** Opens a cache on the fixture's dir (a new instance each call, like a new process would). */
  open(options?: Partial<OpenCacheOptions>): Promise<BarCache>;
  provider(): YahooProvider;
  /** Chart requests the server has seen (each is one provider call). */
  calls(symbol?: string): number;
  dispose(): Promise<void>;
}

export async function cacheFixture(serverOptions: YahooChartServerOptions = {}): Promise<CacheFixture> {
  const server = await startYahooChartServer(serverOptions);
  const tmp = makeTempDir('barcache-cache-');
  const opened: BarCache[] = [];
  const provider = () => new YahooProvider({ baseUrl: server.url, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 2000 });
  return {
    server,
    tmp,
    provider,
    async open(options = {}) {
      const cache = await openCache({ dir: tmp.path, provider: provider(), statsSnapshots: false, ...options });
      opened.push(cache);
      return cache;
    },
    calls: (symbol) => server.chartRequests(symbol).length,
    async dispose() {
      for (const c of opened) await c.close().catch(() => undefined);
      await server.close();
      await tmp.cleanup();
    },
  };
}

export const utc = (date: string) => Date.parse(`${date}T00:00:00Z`);
