import type { Interval } from './types.js';

/** A series is the bars of one symbol at one interval from one provider. */
export interface SeriesKey {
  provider: string;
  symbol: string;
  interval: Interval;
}

/** The string id a series is stored under: `provider|SYMBOL|interval`. */
export function seriesId(key: SeriesKey): string {
  return `${key.provider}|${key.symbol}|${key.interval}`;
}

export function parseSeriesId(id: string): SeriesKey {
  const [provider, symbol, interval] = id.split('|');
  if (!provider || !symbol || !interval) throw new TypeError(`not a series id: ${id}`);
  return { provider, symbol, interval: interval as Interval };
}
