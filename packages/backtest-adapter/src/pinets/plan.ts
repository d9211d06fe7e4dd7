import { BarcacheError, DAY_MS, ErrorCode, isBarcacheError, isDailyOrLonger, normalizeSymbol, type Interval, type ProviderLimits } from '@barcache/cache-core';
import { formatTime as iso } from '@barcache/cache-core';
import { CHART, findSecurityCalls, stripExchange, type SecurityCall } from './script-scan.js';
import { canonicalTimeframe, hoursPerBar, pineTimeframeToInterval } from './timeframes.js';

/** PineTS starts a `request.security` series 30 days before the chart (plus a day for time zones). */
export const SECURITY_LEAD_MS = 31 * DAY_MS;

/** A series the script will read, named by the caller instead of found in the source. */
export interface SecurityRequest {
  symbol: string;
  timeframe: string;
  /** The `calc_bars_count` of the call, if it sets one. */
  calcBarsCount?: number;
}

/** Everything one run reads, before anything is fetched. */
export interface PinePlanInput {
  symbol: string;
  timeframe: string;
  /** Inclusive epoch-ms bounds of the chart (cache bar times). */
  start: number;
  end: number;
  script?: string;
  securities?: readonly SecurityRequest[];
  /** The provider's limits (how far back each interval is served); undefined = no limit known. */
  limits?: Pick<ProviderLimits, 'maxAgeMs'>;
  now: number;
}

/** One series to prefetch, and who reads it (for error messages). */
export interface PlannedSeries {
  symbol: string;
  interval: Interval;
  /** Inclusive cache-time bounds. */
  start: number;
  end: number;
  /** Bars wanted before `start` (a call's calc_bars_count). */
  lookbackBars: number;
  /** Who reads it: 'the chart (AAPL, D)' or a script call with its line. */
  readers: string[];
  /** Every reader says `ignore_invalid_symbol = true`: an unknown symbol is served as no bars (Pine's `na`). */
  optional: boolean;
}

export interface PinePlan {
  chart: PlannedSeries;
  series: PlannedSeries[];
  /** Calls whose series cannot be read from the source (they must be named in `securities`). */
  unplanned: SecurityCall[];
}

/** `request.security("SPY", "D", close) (line 12)`: how errors name a script's call. */
export function describeCall(call: Pick<SecurityCall, 'text' | 'line'>): string {
  return `${call.text} (line ${call.line})`;
}

/** Timeframes Yahoo serves but PineTS 0.9's request.security rejects ('Invalid timeframe'). */
const NOT_IN_SECURITY: ReadonlySet<string> = new Set(['2', '90']);

export function isIntraday(interval: Interval): boolean {
  return !isDailyOrLonger(interval);
}

function withWhere(err: unknown, where: string): unknown {
  if (!isBarcacheError(err)) return err;
  if (err.details.call) return err;
  return new BarcacheError(err.code, `${where}: ${err.message}`, { details: { ...err.details, call: where }, cause: err });
}

/**
 * The series a Pine run reads: the chart over [start, end], and each `request.security` series
 * (found in the script or named by the caller) from 31 days before the chart (PineTS asks 30)
 * to a day after it. Throws, naming the script's call: UNSUPPORTED_INTERVAL for a timeframe Yahoo
 * does not have, INVALID_ARGUMENT for a malformed symbol, OUT_OF_PROVIDER_RANGE for a range older
 * than the provider serves for that interval. Pure.
 */
export function planPineRun(input: PinePlanInput): PinePlan {
  const chartWhere = `the chart (${input.symbol}, ${input.timeframe})`;
  const chartSymbol = withinCall(chartWhere, () => normalizeSymbol(stripExchange(input.symbol)));
  const chartInterval = withinCall(chartWhere, () => pineTimeframeToInterval(input.timeframe, chartWhere));
  const chartTf = canonicalTimeframe(input.timeframe);
  // A date-only end of an intraday chart means the whole day.
  const end = isIntraday(chartInterval) && input.end % DAY_MS === 0 ? input.end + DAY_MS - 1 : input.end;
  const byKey = new Map<string, PlannedSeries>();
  const add = (symbol: string, interval: Interval, start: number, stop: number, lookbackBars: number, reader: string, optional: boolean) => {
    const key = `${symbol}|${interval}`;
    const have = byKey.get(key);
    if (have) {
      have.start = Math.min(have.start, start);
      have.end = Math.max(have.end, stop);
      have.lookbackBars = Math.max(have.lookbackBars, lookbackBars);
      have.optional &&= optional;
      if (!have.readers.includes(reader)) have.readers.push(reader);
    } else {
      byKey.set(key, { symbol, interval, start, end: stop, lookbackBars, readers: [reader], optional });
    }
  };
  add(chartSymbol, chartInterval, input.start, end, 0, chartWhere, false);

  const calls = input.script === undefined ? [] : findSecurityCalls(input.script);
  const unplanned: SecurityCall[] = [];
  const wanted: { symbol: string; timeframe: string; calcBarsCount?: number; where: string; optional?: boolean }[] = [];
  for (const call of calls) {
    if (call.dynamic !== undefined || call.symbol === undefined || call.timeframe === undefined) {
      unplanned.push(call);
      continue;
    }
    const symbol = call.symbol === CHART ? input.symbol : call.symbol;
    const timeframe = call.timeframe === CHART ? input.timeframe : call.timeframe;
    wanted.push({
      symbol,
      timeframe,
      where: describeCall(call),
      ...(call.calcBarsCount && { calcBarsCount: call.calcBarsCount }),
      ...(call.ignoreInvalidSymbol && { optional: true }),
    });
  }
  for (const s of input.securities ?? []) {
    const where = `securities entry ${JSON.stringify({ symbol: s?.symbol, timeframe: s?.timeframe })}`;
    wanted.push({ symbol: s?.symbol, timeframe: s?.timeframe, where, ...(s?.calcBarsCount && { calcBarsCount: s.calcBarsCount }) });
  }
  if (wanted.length > 0 && NOT_IN_SECURITY.has(chartTf)) {
    throw new BarcacheError(
      ErrorCode.UNSUPPORTED_INTERVAL,
      `${wanted[0]!.where}: PineTS's request.security does not run on a chart of timeframe "${input.timeframe}" (only 1 3 5 15 30 45 60 120 180 240 D W M)`,
      { details: { call: wanted[0]!.where, timeframe: input.timeframe } },
    );
  }
  for (const w of wanted) {
    const symbol = withinCall(w.where, () => normalizeSymbol(stripExchange(String(w.symbol ?? ''))));
    const interval = withinCall(w.where, () => pineTimeframeToInterval(w.timeframe, w.where));
    if (NOT_IN_SECURITY.has(canonicalTimeframe(w.timeframe))) {
      throw new BarcacheError(
        ErrorCode.UNSUPPORTED_INTERVAL,
        `${w.where}: PineTS's request.security does not accept timeframe "${w.timeframe}" (only 1 3 5 15 30 45 60 120 180 240 D W M); it works as the chart's timeframe only`,
        { details: { call: w.where, timeframe: w.timeframe } },
      );
    }
    // PineTS serves the chart's own series at the chart's own timeframe without asking the provider.
    if (symbol === chartSymbol && canonicalTimeframe(w.timeframe) === chartTf) continue;
    // calc_bars_count counts bars of the call's timeframe: 4h bars are built from four 1h bars each.
    add(symbol, interval, input.start - SECURITY_LEAD_MS, end + DAY_MS, (w.calcBarsCount ?? 0) * hoursPerBar(w.timeframe), w.where, w.optional === true);
  }

  const series = [...byKey.values()];
  for (const s of series) checkServed(s, input);
  return { chart: byKey.get(`${chartSymbol}|${chartInterval}`)!, series, unplanned };
}

function withinCall<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw withWhere(err, where);
  }
}

/** OUT_OF_PROVIDER_RANGE when a series starts before the provider's reach for its interval. */
function checkServed(s: PlannedSeries, input: PinePlanInput): void {
  const maxAge = input.limits?.maxAgeMs[s.interval];
  if (maxAge === undefined || !Number.isFinite(maxAge)) return;
  const from = input.now - maxAge;
  if (s.start >= from) return;
  const served = { start: from, end: input.now };
  throw new BarcacheError(
    ErrorCode.OUT_OF_PROVIDER_RANGE,
    `${s.readers.join(' and ')}: ${s.symbol} ${s.interval} from ${iso(s.start)} cannot be served: the provider keeps ${s.interval} bars ` +
      `only from ${iso(from)} (the last ${Math.round(maxAge / DAY_MS)} days). Start the chart later or use a longer timeframe.`,
    { details: { call: s.readers[0], symbol: s.symbol, interval: s.interval, start: s.start, end: s.end, served } },
  );
}
