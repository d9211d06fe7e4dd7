import { invalidArgument } from '../errors.js';
import { assertInterval } from '../intervals.js';
import { seriesId, type SeriesKey } from '../series-key.js';
import { formatTime, normalizeSymbol, parseTimeInput } from '../time-input.js';
import type { BarQuery, ClearFilter, Interval, PrefetchPlan } from '../types.js';

/** A checked getBars/explain query: the series and inclusive ms bounds. */
export interface ParsedQuery {
  key: SeriesKey;
  id: string;
  start: number;
  /** Inclusive. */
  end: number;
}

/** A checked prefetch plan. */
export interface ParsedPlan {
  symbols: string[];
  interval: Interval;
  start: number;
  end: number;
  lookbackBars: number;
  lookbackDays: number;
}

export interface ParsedClearFilter {
  symbol?: string;
  interval?: Interval;
  before?: number;
}

/**
 * Turns what callers pass (symbols in any case, time inputs of four kinds) into checked values,
 * with a coded INVALID_ARGUMENT / UNSUPPORTED_INTERVAL for anything malformed. The parts behind
 * the façade trust what this returns.
 */
export class QueryParser {
  readonly #provider: string;
  readonly #seriesCache = new Map<string, Map<Interval, { key: SeriesKey; id: string }>>();
  readonly #timeCache = new Map<string, number>();

  constructor(provider: string) {
    this.#provider = provider;
  }

  query(q: BarQuery): ParsedQuery {
    if (q === null || typeof q !== 'object') throw invalidArgument('getBars takes a query object { symbol, interval, start, end }');
    const series = this.#series(q.symbol, q.interval);
    // Finite epoch ms (the hot path's usual input) need no parsing at all.
    const start = typeof q.start === 'number' && Number.isFinite(q.start) ? q.start : this.#time(q.start, 'start');
    const end = typeof q.end === 'number' && Number.isFinite(q.end) ? q.end : this.#time(q.end, 'end');
    assertOrdered(start, end);
    return { key: series.key, id: series.id, start, end };
  }

  plan(plan: PrefetchPlan): ParsedPlan {
    if (plan === null || typeof plan !== 'object') throw invalidArgument('prefetch takes a plan { symbols, interval, start, end, lookback? }');
    if (!Array.isArray(plan.symbols) || plan.symbols.length === 0) {
      throw invalidArgument('plan.symbols must be a non-empty array of symbols', { field: 'symbols' });
    }
    const symbols = [...new Set(plan.symbols.map((s) => normalizeSymbol(s)))];
    const interval = assertInterval(plan.interval);
    const start = parseTimeInput(plan.start, 'start');
    const end = parseTimeInput(plan.end, 'end');
    assertOrdered(start, end);
    const lookbackBars = nonNegativeInteger(plan.lookback?.bars, 'lookback.bars');
    const lookbackDays = nonNegativeInteger(plan.lookback?.days, 'lookback.days');
    return { symbols, interval, start, end, lookbackBars, lookbackDays };
  }

  clearFilter(filter: ClearFilter): ParsedClearFilter {
    return {
      ...(filter.symbol === undefined ? {} : { symbol: normalizeSymbol(filter.symbol) }),
      ...(filter.interval === undefined ? {} : { interval: assertInterval(filter.interval) }),
      ...(filter.before === undefined ? {} : { before: parseTimeInput(filter.before, 'before') }),
    };
  }

  /** The series of `symbol` at `interval` from this cache's provider. */
  seriesKey(symbol: string, interval: Interval): SeriesKey {
    return { provider: this.#provider, symbol, interval };
  }

  /**
   * A time input that is not a number: date strings are parsed once and memoised (a backtest asks
   * with the same few thousand dates all day); a bad one throws as parseTimeInput does, uncached.
   */
  #time(value: BarQuery['start'], field: string): number {
    if (typeof value !== 'string') return parseTimeInput(value, field);
    const known = this.#timeCache.get(value);
    if (known !== undefined) return known;
    const t = parseTimeInput(value, field);
    if (this.#timeCache.size >= 100_000) this.#timeCache.clear();
    this.#timeCache.set(value, t);
    return t;
  }

  /**
   * The series a (symbol, interval) pair names, validated once and memoised: the lookback path
   * asks for the same few series all day, and this keeps it free of string building and regexes.
   */
  #series(rawSymbol: unknown, rawInterval: unknown): { key: SeriesKey; id: string } {
    const byInterval = typeof rawSymbol === 'string' ? this.#seriesCache.get(rawSymbol) : undefined;
    const known = byInterval?.get(rawInterval as Interval);
    if (known !== undefined) return known;
    const symbol = normalizeSymbol(rawSymbol);
    const interval = assertInterval(rawInterval);
    const key: SeriesKey = { provider: this.#provider, symbol, interval };
    const series = { key, id: seriesId(key) };
    if (this.#seriesCache.size > 10_000) this.#seriesCache.clear();
    const map = byInterval ?? new Map<Interval, { key: SeriesKey; id: string }>();
    map.set(interval, series);
    this.#seriesCache.set(rawSymbol as string, map);
    return series;
  }
}

function assertOrdered(start: number, end: number): void {
  if (end < start) {
    throw invalidArgument(`reversed range: end ${formatTime(end)} is before start ${formatTime(start)}`, { start, end });
  }
}

function nonNegativeInteger(value: unknown, field: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalidArgument(`${field} must be a non-negative integer, got ${JSON.stringify(value)}`, { field, value });
  }
  return value;
}
