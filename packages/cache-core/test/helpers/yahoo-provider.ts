// The loopback Yahoo chart server shared by the yahoo-provider-*.test.ts files, and YahooProvider
// instances pointed at it through the REAL yahoo-finance2 client (no network).
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startYahooChartServer, type YahooChartServer } from '@barcache/test-support';
import { BarcacheError } from '../../src/errors.js';
import { YahooProvider, type YahooProviderOptions } from '../../src/provider/yahoo-provider.js';

export const d = (s: string) => Date.parse(`${s}T00:00:00Z`);
export const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The file's server (set in its beforeAll; a live binding). */
export let server: YahooChartServer;
/** The backoff delays the providers of the current test asked to sleep, in ms. */
export const delays: number[] = [];

/**
 * Starts the server for the calling test file (BHP.AX trades in Sydney with a split and a
 * dividend), clears its faults and request log before each test, and the recorded delays after.
 */
export function useYahooChartServer(): void {
  beforeAll(async () => {
    server = await startYahooChartServer({
      symbols: {
        'BHP.AX': {
          timezone: 'Australia/Sydney',
          splits: [{ date: '2024-03-07', numerator: 2, denominator: 1 }],
          dividends: [{ date: '2024-03-06', amount: 0.72 }],
        },
      },
    });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.clearFaults();
    server.resetRequests();
  });
  afterEach(() => {
    delays.length = 0;
  });
}

/** A provider pointed at the loopback server, with tiny retry delays (no fake timers). */
export function provider(opts: YahooProviderOptions = {}): YahooProvider {
  return new YahooProvider({
    baseUrl: server.url,
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 },
    timeoutMs: 2000,
    sleep: async (ms) => {
      delays.push(ms);
      await new Promise((r) => setTimeout(r, Math.min(ms, 5)));
    },
    ...opts,
  });
}

/** A provider on a server of its own that answers `symbol` with a recorded-shape fixture (served under its own symbol). */
export async function withFixture<T>(symbol: string, fixture: string, fn: (p: YahooProvider) => Promise<T>): Promise<T> {
  const fx = await startYahooChartServer({ symbols: { [symbol]: { fixture } } });
  try {
    return await fn(provider({ baseUrl: fx.url }));
  } finally {
    await fx.close();
  }
}

export async function rejection(p: Promise<unknown>): Promise<BarcacheError> {
  const err = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BarcacheError);
  return err as BarcacheError;
}
