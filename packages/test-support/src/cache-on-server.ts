/**
 * The one fixture for "a cache on a loopback Yahoo server": a YahooChartServer, a temp cache dir,
 * and caches opened on it whose real YahooProvider (the real yahoo-finance2 client) talks to the
 * server. No test-runner imports here; '@barcache/test-support/vitest' has the per-file variant.
 */
import { openCache, YahooProvider, type BarCache, type OpenCacheOptions, type YahooProviderOptions } from '@barcache/cache-core';
import { makeTempDir } from './temp-dir.js';
import { startYahooChartServer, type YahooChartServer, type YahooChartServerOptions } from './yahoo-chart-server.js';

/** YahooProvider options besides `baseUrl`. */
export type TestProviderOptions = Omit<YahooProviderOptions, 'baseUrl'>;

/** The provider policy of tests: tiny backoffs and time-outs, so faults cost milliseconds. */
export const FAST_TEST_PROVIDER: Readonly<TestProviderOptions> = Object.freeze({
  retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 },
  timeoutMs: 2000,
});

export interface CacheOnServerOptions {
  /** Options of the server this fixture starts. */
  server?: YahooChartServerOptions;
  /** The provider's options (default FAST_TEST_PROVIDER; given fields replace its fields). */
  provider?: TestProviderOptions;
}

export interface CacheOnServer {
  readonly server: YahooChartServer;
  /** The fixture's own cache dir (removed by dispose). */
  readonly dir: string;
  /** A new YahooProvider pointed at the server (the fixture's options, then `overrides`). */
  provider(overrides?: TestProviderOptions): YahooProvider;
  /**
   * Opens a cache (default: on `dir`; a new instance each call, like a new process would) whose
   * provider talks to the server. Closed by closeCaches()/dispose().
   */
  open(options?: Partial<OpenCacheOptions>): Promise<BarCache>;
  /** Chart requests the server has seen (each is one provider call), optionally for one symbol. */
  calls(symbol?: string): number;
  /** Closes every cache this fixture opened. */
  closeCaches(): Promise<void>;
  /** Closes the caches and the server, removes the dir. */
  dispose(): Promise<void>;
}

/** Starts a server and makes a cache dir. Dispose it when done. */
export async function startCacheOnServer(options: CacheOnServerOptions = {}): Promise<CacheOnServer> {
  const server = await startYahooChartServer(options.server);
  const tmp = makeTempDir('barcache-cache-');
  const caches = cachesOn(() => server, () => tmp.path, options.provider);
  return {
    server,
    dir: tmp.path,
    ...caches,
    async dispose() {
      await caches.closeCaches();
      await server.close();
      await tmp.cleanup();
    },
  };
}

/** Opening caches on a server (shared by startCacheOnServer and the per-file vitest fixture). */
export function cachesOn(
  server: () => YahooChartServer,
  defaultDir: () => string,
  providerOptions: TestProviderOptions = {},
): Pick<CacheOnServer, 'provider' | 'open' | 'calls' | 'closeCaches'> {
  const opened: BarCache[] = [];
  const provider = (overrides: TestProviderOptions = {}) =>
    new YahooProvider({ ...FAST_TEST_PROVIDER, ...providerOptions, ...overrides, baseUrl: server().url });
  return {
    provider,
    async open(options = {}) {
      const cache = await openCache({ dir: defaultDir(), provider: provider(), statsSnapshots: false, ...options });
      opened.push(cache);
      return cache;
    },
    calls: (symbol) => server().chartRequests(symbol).length,
    async closeCaches() {
      for (const c of opened.splice(0)) await c.close().catch(() => undefined);
    },
  };
}
