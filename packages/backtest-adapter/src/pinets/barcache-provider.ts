import { BarcacheError, ErrorCode, normalizeSymbol } from '@barcache/cache-core';
import type { Bar, BarCache, Interval } from '@barcache/cache-core';
import { formatTime as iso } from '@barcache/cache-core';
import { aggregateHourly } from './hourly-aggregation.js';
import { pineKline, toPineKlines, type KlineOptions, type PineKline } from './klines.js';
import { describeCall } from './plan.js';
import type { SecurityCall } from './script-scan.js';
import { stripExchange } from './script-scan.js';
import { buildSymbolInfo, type PineSymbolInfo } from './symbol-info.js';
import { hoursPerBar, pineTimeframeToInterval } from './timeframes.js';

/** A series the provider serves: its prepared cache range and how its times map to PineTS's. */
export interface ServedSeries {
  symbol: string;
  interval: Interval;
  /** The prepared (prefetched) range, inclusive cache-time bounds. */
  start: number;
  end: number;
  /** The earliest `sDate` and latest `eDate` (PineTS times) the prepared range answers in full. */
  from: number;
  until: number;
  klines: KlineOptions;
  /** Who reads it (the chart, script calls), for messages. */
  readers: readonly string[];
  /**
   * True when the provider has no bars before the prepared start (a young listing: the prefetch's
   * lookback was not satisfied), so a read that runs out of bars there is the whole truth.
   */
  historyComplete: boolean;
  /** The provider does not know the symbol and every reader said `ignore_invalid_symbol = true`: no bars (Pine's `na`). */
  unknown?: boolean;
}

/**
 * PineTS's data hook (its IProvider) over a prepared Barcache session. `getMarketData` reads the
 * prepared series from memory (`cache.peekBars`: one L1 hit, no I/O) and answers PineTS's window:
 * candles with `sDate <= openTime <= eDate`, the last `limit` of them when a limit is given.
 *
 * It never rejects: PineTS 0.9 leaves `run()` unsettled when `getMarketData` rejects. A read it
 * cannot answer in full (a series that was not prepared, a window outside the prepared range) is
 * handed to `onFailure` with a coded error and the returned promise stays pending; the session's
 * `run()` races it and rejects with that error.
 */
export class BarcachePineProvider {
  #calls = 0;
  #lastFailure: BarcacheError | undefined;

  constructor(
    private readonly cache: BarCache,
    private readonly served: ReadonlyMap<string, ServedSeries>,
    private readonly unplanned: readonly SecurityCall[],
    private readonly symbolInfo: Readonly<Record<string, Partial<PineSymbolInfo>>>,
    private readonly onFailure: (err: BarcacheError) => void,
  ) {}

  /** How many times PineTS asked for market data. */
  get marketDataCalls(): number {
    return this.#calls;
  }

  /**
   * The last read this provider could not serve (its promise to PineTS stays pending). `session.run()`
   * rejects with it; check it when you drive PineTS yourself.
   */
  get lastFailure(): BarcacheError | undefined {
    return this.#lastFailure;
  }

  /** Not used: the provider is configured by the session that built it. */
  configure(_config: unknown): void {}

  getMarketData(tickerId: string, timeframe: string, limit?: number, sDate?: number, eDate?: number): Promise<PineKline[]> {
    this.#calls++;
    let series: ServedSeries;
    try {
      series = this.#seriesFor(tickerId, timeframe);
    } catch (err) {
      return this.#fail(err);
    }
    if ((sDate !== undefined && sDate < series.from) || (eDate !== undefined && eDate > series.until)) {
      return this.#fail(
        new BarcacheError(
          ErrorCode.INVALID_ARGUMENT,
          `PineTS asked ${series.symbol} ${timeframe} for ${iso(sDate ?? series.from)}..${iso(eDate ?? series.until)}, outside the prepared ` +
            `${iso(series.from)}..${iso(series.until)}; prepare a wider range`,
          { details: { symbol: series.symbol, timeframe, sDate, eDate, prepared: { start: series.from, end: series.until } } },
        ),
      );
    }
    if (series.unknown) return Promise.resolve([]);
    const q = { symbol: series.symbol, interval: series.interval, start: series.start, end: series.end };
    const resident = this.cache.peekBars(q);
    // Pinned series stay resident; a provisional tail past its TTL is refetched through getBars.
    const bars: Promise<Bar[]> = resident ? Promise.resolve(resident) : this.cache.getBars(q);
    return bars.then(
      (all) => {
        const out = window(candles(all, series, timeframe), limit, sDate, eDate);
        // "The last `limit` bars" that ran out at the prepared start would be a silently short answer.
        if (limit !== undefined && limit > 0 && sDate === undefined && out.length < limit && !series.historyComplete) {
          return this.#fail(
            new BarcacheError(
              ErrorCode.INVALID_ARGUMENT,
              `${series.readers.join(' and ')}: PineTS asks the last ${limit} ${timeframe} bars of ${series.symbol} (calc_bars_count), the session holds ${out.length}; ` +
                'write calc_bars_count as a literal or name it in `securities` ({ symbol, timeframe, calcBarsCount })',
              { details: { call: series.readers[0], symbol: series.symbol, timeframe, asked: limit, available: out.length } },
            ),
          );
        }
        return out;
      },
      (err: unknown) => this.#fail(err),
    );
  }

  getSymbolInfo(tickerId: string): Promise<PineSymbolInfo> {
    const symbol = symbolOf(tickerId);
    const any = [...this.served.values()].find((s) => s.symbol === symbol);
    return Promise.resolve(buildSymbolInfo({ symbol, ...(any && { timezone: any.klines.timezone }) }, this.symbolInfo[symbol] ?? {}));
  }

  #seriesFor(tickerId: string, timeframe: string): ServedSeries {
    const symbol = symbolOf(tickerId);
    const interval = pineTimeframeToInterval(timeframe, `request for ${tickerId}`);
    const s = this.served.get(`${symbol}|${interval}`);
    if (s) return s;
    const dynamic = this.unplanned.map(describeCall);
    const hint =
      dynamic.length > 0
        ? ` The script reads series the plugin could not see in its source: ${dynamic.join(', ')}; name them in \`securities\`.`
        : ' Name it in `securities`.';
    throw new BarcacheError(ErrorCode.INVALID_ARGUMENT, `the script reads ${symbol} ${timeframe}, which was not prepared.${hint}`, {
      details: { symbol, timeframe, ...(dynamic.length > 0 && { call: dynamic[0], unplanned: dynamic }) },
    });
  }

  #fail(err: unknown): Promise<never> {
    const coded =
      err instanceof BarcacheError ? err : new BarcacheError(ErrorCode.PROVIDER_FAILED, `market data read failed: ${String(err)}`, { cause: err });
    this.#lastFailure = coded;
    this.onFailure(coded);
    return new Promise<never>(() => {});
  }
}

/** `NASDAQ:aapl` → `AAPL` (PineTS strips the exchange); a chart-type modifier (`;heikinashi`) is INVALID_ARGUMENT. */
function symbolOf(tickerId: string): string {
  const [symbol, modifier] = stripExchange(String(tickerId)).split(';');
  if (modifier !== undefined && modifier.trim().toLowerCase() !== 'standard') {
    throw new BarcacheError(ErrorCode.INVALID_ARGUMENT, `${tickerId}: chart-type modifiers (;${modifier}) are not served; Barcache has standard bars only`, {
      details: { symbol: tickerId },
    });
  }
  return normalizeSymbol(symbol);
}

/** The prepared bars as candles of `timeframe`: as they are, or 1h bars grouped into 2h/3h/4h ones. Pure. */
function candles(bars: readonly Bar[], series: ServedSeries, timeframe: string): PineKline[] {
  const hours = hoursPerBar(timeframe);
  if (hours === 1) return toPineKlines(bars, series.interval, series.klines);
  return aggregateHourly(bars, hours, series.klines.timezone).map((a) => pineKline(a.bar, a.bar.time, a.closeTime));
}

/** Candles with sDate <= openTime <= eDate, the last `limit` of them. Pure. */
export function window(klines: PineKline[], limit?: number, sDate?: number, eDate?: number): PineKline[] {
  let out = klines.filter((k) => (sDate === undefined || k.openTime >= sDate) && (eDate === undefined || k.openTime <= eDate));
  if (limit !== undefined && limit > 0 && out.length > limit) out = out.slice(out.length - limit);
  return out;
}
