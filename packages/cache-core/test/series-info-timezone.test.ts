/** listSeries reports the exchange time zone the provider gave for each series (the PineTS plugin's syminfo.timezone). */
import { afterEach, describe, expect, it } from 'vitest';
import { startCacheOnServer, type CacheOnServer } from '@barcache/test-support';

let fx: CacheOnServer | undefined;
afterEach(async () => {
  await fx?.dispose();
  fx = undefined;
});

describe('SeriesInfo.timezone', () => {
  it('is Yahoo exchangeTimezoneName per series, kept on disk for a new cache instance', async () => {
    fx = await startCacheOnServer({ server: { symbols: { 'BHP.AX': { timezone: 'Australia/Sydney' } } } });
    const cache = await fx.open();
    await cache.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-03-01', end: '2024-03-28' });
    await cache.getBars({ symbol: 'BHP.AX', interval: '1d', start: '2024-03-01', end: '2024-03-28' });
    const zones = (list: { symbol: string; timezone?: string }[]) => Object.fromEntries(list.map((s) => [s.symbol, s.timezone]));
    expect(zones(await cache.listSeries())).toEqual({ AAPL: 'America/New_York', 'BHP.AX': 'Australia/Sydney' });
    await cache.close();
    const again = await fx.open({ offline: true });
    expect(zones(await again.listSeries())).toEqual({ AAPL: 'America/New_York', 'BHP.AX': 'Australia/Sydney' });
  });
});
