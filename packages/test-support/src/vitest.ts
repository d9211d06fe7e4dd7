/**
 * Vitest-only helpers. This is the ONE file of test-support that imports vitest; index.ts does
 * not re-export it, so the demo can use the server and generators without vitest installed.
 * Import it as '@barcache/test-support/vitest' (or by relative path from a test).
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { cachesOn, type CacheOnServer, type CacheOnServerOptions } from './cache-on-server.js';
import { makeTempDir, useTempDir, type TempDir } from './temp-dir.js';
import { startYahooChartServer, type YahooChartServer, type YahooChartServerOptions } from './yahoo-chart-server.js';

/** A fresh temp dir for each test: `const tmp = tempDirPerTest('store-'); … tmp.path`. */
export function tempDirPerTest(prefix = 'barcache-test-'): { readonly path: string } {
  return useTempDir(prefix, { beforeEach, afterEach });
}

/**
 * One Yahoo chart server for the file (started in beforeAll, closed in afterAll); faults and
 * recorded requests are reset before each test. Read `.server` inside tests.
 */
export function yahooServerPerFile(options: YahooChartServerOptions = {}): { readonly server: YahooChartServer } {
  let server: YahooChartServer | undefined;
  beforeAll(async () => {
    server = await startYahooChartServer(options);
  });
  beforeEach(() => {
    server?.clearFaults();
    server?.resetRequests();
    server?.setLatency(options.latencyMs ?? 0);
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    get server(): YahooChartServer {
      if (!server) throw new Error('yahooServerPerFile: server read outside a test');
      return server;
    },
  };
}

/**
 * "A cache on a loopback Yahoo server" for a whole file: one server (as yahooServerPerFile), a
 * fresh cache dir per test (`dir`), and caches opened with `open()` closed after each test
 * (before their dir is removed). The same API as startCacheOnServer, without `dispose`.
 */
export function cacheOnServerPerFile(options: CacheOnServerOptions = {}): Omit<CacheOnServer, 'dispose'> {
  const file = yahooServerPerFile(options.server);
  let tmp: TempDir | undefined;
  const dir = () => {
    tmp ??= makeTempDir('barcache-cache-');
    return tmp.path;
  };
  const caches = cachesOn(() => file.server, dir, options.provider);
  afterEach(async () => {
    await caches.closeCaches();
    const t = tmp;
    tmp = undefined;
    await t?.cleanup();
  });
  return {
    get server() {
      return file.server;
    },
    get dir() {
      return dir();
    },
    ...caches,
  };
}
