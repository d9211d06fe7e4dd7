import { invalidArgument } from '../errors.js';
import { assertInterval } from '../intervals.js';
import { seriesId, type SeriesKey } from '../series-key.js';
import type { ResidentMemo } from '../tiers/memory/memory-tier.js';
import { dateOnlyMs, formatTime, normalizeSymbol, parseTimeInput } from '../time-input.js';
import type { BarQuery, BarsStatus, ClearFilter, Interval, PrefetchPlan } from '../types.js';

/**
 * A checked (symbol, interval) pair: the series it names and its id, memoised per raw pair. It
 * also memoises where L1 holds the series (a ResidentMemo, kept by the memory tier).
 */
export interface SeriesRef extends ResidentMemo {
  readonly key: SeriesKey;
  readonly id: string;
}

/** A memo slot: one raw (symbol, interval) pair; pairs of one raw symbol are chained. */
interface SeriesSlot extends SeriesRef {
  readonly rawSymbol: string;
  readonly rawInterval: unknown;
  next: SeriesSlot | undefined;
  /** The slot asked for right after this one last time (a backtest asks for its symbols in the same order every day). */
  successor: SeriesSlot | undefined;
}

/** A checked getBars/explain query: the series and inclusive ms bounds. */
export interface ParsedQuery {
  key: SeriesKey;
  id: string;
  /** The memoised series (its L1 lookup memo): the key and id above, and where L1 holds it. */
  series: SeriesRef;
  start: number;
  /** Inclusive. */
  end: number;
  /** Fail rather than serve stale bars (BarQuery.strict). */
  strict: boolean;
  /** Filled in with how the call was served (BarQuery.status). */
  status: BarsStatus | undefined;
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
  /** Raw symbol → its slots (usually one: a backtest reads a symbol at one interval). */
  readonly #seriesCache = new Map<string, SeriesSlot>();
  /** The slot of the last query: its `successor` is the first guess for the next one. */
  #lastSlot: SeriesSlot | undefined;
  readonly #timeCache = new Map<string, number>();

  constructor(provider: string) {
    this.#provider = provider;
  }

  query(q: BarQuery): ParsedQuery {
    const series = this.series(q);
    const start = this.start(q);
    const end = this.end(q);
    assertOrdered(start, end);
    return { key: series.key, id: series.id, series, start, end, strict: q.strict === true, status: q.status };
  }

  /**
   * The hot path's first step (peekColumns parses piecewise, allocating nothing): checks that `q`
   * is a query object with a sound `status`, and returns the series it names (memoised).
   */
  series(q: BarQuery): SeriesRef {
    if (q === null || typeof q !== 'object') throw invalidArgument('getBars takes a query object { symbol, interval, start, end }');
    const status = q.status;
    if (status !== undefined && (status === null || typeof status !== 'object')) {
      throw invalidArgument('status must be an object the call fills in', { field: 'status' });
    }
    return this.#series(q.symbol, q.interval);
  }

  /**
   * The lookback fast path's guess, nothing checked: the series that followed the last one asked
   * for last time, when `q` is a query object without `status` that names it by the very same raw
   * symbol and interval (and it becomes the last one asked for); else undefined.
   */
  predicted(q: BarQuery): SeriesRef | undefined {
    // Fields in the order `series` reads them (status first), so a getter that throws throws alike.
    const guess = this.#lastSlot?.successor;
    if (guess === undefined || typeof q !== 'object' || q === null || q.status !== undefined || guess.rawSymbol !== q.symbol || guess.rawInterval !== q.interval) return undefined;
    return (this.#lastSlot = guess);
  }

  /** `q.start` in epoch ms: finite epoch ms (the hot path's usual input) pass through unparsed. */
  start(q: BarQuery): number {
    const v = q.start;
    return typeof v === 'number' && Number.isFinite(v) ? v : this.#time(v, 'start');
  }

  /** `q.end` (inclusive) in epoch ms, as `start`. */
  end(q: BarQuery): number {
    const v = q.end;
    return typeof v === 'number' && Number.isFinite(v) ? v : this.#time(v, 'end');
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
   * A time input that is not a number: 'YYYY-MM-DD' is converted directly (dateOnlyMs); other
   * date strings are parsed once and memoised (a backtest asks with the same few thousand dates all
   * day); a bad one throws as parseTimeInput does, uncached.
   */
  #time(value: BarQuery['start'], field: string): number {
    if (typeof value !== 'string') return parseTimeInput(value, field);
    // 'YYYY-MM-DD' converts faster than the memo below can look it up.
    const day = value.length === 10 ? dateOnlyMs(value) : -1;
    if (day !== -1) return day;
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
   * A loop over symbols asks for them in the same order every day, so the slot that followed the
   * last one last time is checked first (two identity compares); else one map lookup by the raw
   * symbol and an identity check of the interval.
   */
  #series(rawSymbol: unknown, rawInterval: unknown): SeriesRef {
    const last = this.#lastSlot;
    const guess = last?.successor;
    if (guess !== undefined && guess.rawSymbol === rawSymbol && guess.rawInterval === rawInterval) {
      this.#lastSlot = guess;
      return guess;
    }
    // The last series again (also a predicted one the fast path could not serve): its successor stays.
    if (last !== undefined && last.rawSymbol === rawSymbol && last.rawInterval === rawInterval) return last;
    const slot = this.#slot(rawSymbol, rawInterval);
    if (last !== undefined) last.successor = slot;
    this.#lastSlot = slot;
    return slot;
  }

  #slot(rawSymbol: unknown, rawInterval: unknown): SeriesSlot {
    const first = typeof rawSymbol === 'string' ? this.#seriesCache.get(rawSymbol) : undefined;
    for (let slot = first; slot !== undefined; slot = slot.next) if (slot.rawInterval === rawInterval) return slot;
    const symbol = normalizeSymbol(rawSymbol);
    const interval = assertInterval(rawInterval);
    const key: SeriesKey = { provider: this.#provider, symbol, interval };
    if (this.#seriesCache.size > 10_000) this.#seriesCache.clear();
    const slot: SeriesSlot = {
      key,
      id: seriesId(key),
      rawSymbol: rawSymbol as string,
      rawInterval,
      next: first,
      successor: undefined,
      memoEntry: undefined,
    };
    this.#seriesCache.set(rawSymbol as string, slot);
    return slot;
  }
}

/** Throws INVALID_ARGUMENT for a reversed range. */
export function assertOrdered(start: number, end: number): void {
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
