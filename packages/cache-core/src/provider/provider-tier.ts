import { BarColumns } from '../bar-columns.js';
import { BarcacheError, ErrorCode, isBarcacheError } from '../errors.js';
import { formatTimeRange } from '../time-input.js';
import type { UpstreamAnswer, UpstreamFailure, UpstreamPiece, UpstreamRequest, UpstreamTier } from '../tiers/upstream-tier.js';
import type { BarProvider, ProviderLimits, TimeRange } from '../types.js';

/** The counters the provider tier keeps up to date (the cache's CacheCounters fits). */
export interface ProviderCallCounters {
  providerCalls: number;
  providerBars: number;
  providerErrors: number;
  providerRetries: number;
  droppedBars: number;
}

/**
 * The last link of the tier chain: a BarProvider (Yahoo, a test double) seen as an UpstreamTier.
 * Asks the provider for each range at once (the provider's own limiter bounds HTTP concurrency),
 * stamps every answer with the time it arrived, and turns a failure into a coded BarcacheError
 * that names the series and range.
 */
export class ProviderTier implements UpstreamTier {
  readonly name: string;
  readonly provider: string;
  readonly limits?: ProviderLimits;
  readonly #source: BarProvider;
  readonly #now: () => number;
  readonly #counters: ProviderCallCounters;

  constructor(source: BarProvider, options: { now: () => number; counters: ProviderCallCounters }) {
    this.#source = source;
    this.#now = options.now;
    this.#counters = options.counters;
    this.provider = source.name;
    this.name = `provider:${source.name}`;
    if (source.limits) this.limits = source.limits;
  }

  async fetch(request: UpstreamRequest): Promise<UpstreamAnswer> {
    const settled = await Promise.allSettled(request.ranges.map((range) => this.#fetchOne(request, range)));
    const pieces: UpstreamPiece[] = [];
    const failures: UpstreamFailure[] = [];
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') pieces.push(s.value);
      else failures.push({ range: request.ranges[i]!, error: s.reason });
    });
    return { pieces, failures, providerCalls: request.ranges.length };
  }

  async #fetchOne(request: UpstreamRequest, range: TimeRange): Promise<UpstreamPiece> {
    const { key, signal } = request;
    const counters = this.#counters;
    counters.providerCalls++;
    try {
      const result = await this.#source.fetchBars({
        symbol: key.symbol,
        interval: key.interval,
        start: range.start,
        end: range.end,
        ...(signal ? { signal } : {}),
      });
      counters.providerBars += result.bars.length;
      counters.droppedBars += result.droppedBars ?? 0;
      counters.providerRetries += result.retries ?? 0;
      return {
        range,
        bars: BarColumns.fromBars(result.bars),
        fetchedAt: this.#now(),
        ...(result.splits ? { splits: result.splits } : {}),
        ...(result.dividends ? { dividends: result.dividends } : {}),
        ...(result.exchangeTimezone ? { timezone: result.exchangeTimezone } : {}),
        ...(result.droppedTimes ? { droppedTimes: result.droppedTimes } : {}),
        ...(result.droppedBars !== undefined ? { droppedBars: result.droppedBars } : {}),
        ...(result.firstTradeTime !== undefined ? { firstTradeTime: result.firstTradeTime } : {}),
      };
    } catch (err) {
      counters.providerErrors++;
      const details = { symbol: key.symbol, interval: key.interval, start: range.start, end: range.end };
      if (isBarcacheError(err)) {
        if (typeof err.details.attempts === 'number') counters.providerRetries += Math.max(0, err.details.attempts - 1);
        Object.assign(err.details, { ...details, ...err.details });
        throw err;
      }
      throw new BarcacheError(
        ErrorCode.PROVIDER_FAILED,
        `provider ${this.#source.name} failed for ${key.symbol} ${key.interval} ${formatTimeRange(range)}: ${(err as Error)?.message ?? err}`,
        { cause: err, details },
      );
    }
  }
}

