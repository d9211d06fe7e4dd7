// How the Yahoo provider reaches its server through the REAL yahoo-finance2 client, against a
// loopback server (no network): BARCACHE_YAHOO_BASE_URL, an injected fetch, the concurrency limit,
// and nothing of the library's own output reaching stdout/stderr.
import { describe, expect, it, vi } from 'vitest';
import { YahooProvider } from '../src/provider/yahoo-provider.js';
import { d, provider, server, useYahooChartServer } from './helpers/yahoo-provider.js';

useYahooChartServer();

describe('YahooProvider: pointing at the server, and silence', () => {
  const q = { symbol: 'AAPL', interval: '1d' as const, start: d('2024-01-08'), end: d('2024-01-13') };

  it('BARCACHE_YAHOO_BASE_URL points the default provider at the server', async () => {
    vi.stubEnv('BARCACHE_YAHOO_BASE_URL', server.url);
    try {
      const p = new YahooProvider();
      expect(p.baseUrl).toBe(server.url);
      expect((await p.fetchBars(q)).bars).toHaveLength(5);
      expect(server.chartRequests('AAPL')).toHaveLength(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('an injected fetch is used (here one that routes Yahoo hosts to the server)', async () => {
    const seen: string[] = [];
    const p = new YahooProvider({
      fetch: ((input: string, init?: RequestInit) => {
        seen.push(String(input));
        return server.fetch(input, init);
      }) as typeof fetch,
    });
    expect((await p.fetchBars(q)).bars).toHaveLength(5);
    expect(seen[0]).toMatch(/^https:\/\/query2\.finance\.yahoo\.com\/v8\/finance\/chart\/AAPL\?/);
  });

  it('limits concurrency per provider', async () => {
    server.setLatency(40);
    try {
      let inFlight = 0;
      let max = 0;
      const wrapped = new YahooProvider({
        concurrency: 2,
        fetch: (async (input: string, init?: RequestInit) => {
          inFlight++;
          max = Math.max(max, inFlight);
          try {
            return await server.fetch(input, init);
          } finally {
            inFlight--;
          }
        }) as typeof fetch,
      });
      const syms = ['A', 'B', 'C', 'D', 'E', 'F'];
      await Promise.all(syms.map((symbol) => wrapped.fetchBars({ ...q, symbol })));
      expect(max).toBe(2);
    } finally {
      server.setLatency(0);
    }
  });

  it('nothing from yahoo-finance2 reaches stdout/stderr (Node-22 notice, HTTP errors, validation)', async () => {
    const out = vi.spyOn(process.stdout, 'write');
    const err = vi.spyOn(process.stderr, 'write');
    const spies = (['log', 'info', 'warn', 'error', 'debug', 'dir'] as const).map((m) => vi.spyOn(console, m));
    const messages: unknown[][] = [];
    try {
      const p = provider({ log: (...args) => messages.push(args) });
      server.failNext(1, 429);
      await p.fetchBars(q);
      server.failNext(3, 500);
      await p.fetchBars(q).catch(() => {});
      await p.fetchBars({ ...q, symbol: 'NOSUCHSYMBOL' }).catch(() => {});
      server.setFault({ kind: 'malformed', times: 3 });
      await p.fetchBars(q).catch(() => {});
      for (const spy of [out, err, ...spies]) expect(spy).not.toHaveBeenCalled();
      if (Number(process.versions.node.split('.')[0]) < 22) {
        // The warning went to our log hook instead.
        expect(messages.some((m) => m[0] === 'warn' && String(m[1]).includes('Unsupported environment'))).toBe(true);
      }
    } finally {
      out.mockRestore();
      err.mockRestore();
      for (const s of spies) s.mockRestore();
    }
  });
});
