import { PineTS, type Context } from 'pinets';
import { BarcacheError, DAY_MS, ErrorCode, YAHOO_LIMITS, formatTime, parseTimeInput } from '@barcache/cache-core';
import type { BarCache, PrefetchReport, ProviderLimits, TimeInput } from '@barcache/cache-core';
import { BarcachePineProvider, type ServedSeries } from './barcache-provider.js';
import { barSpan } from './klines.js';
import { isIntraday, planPineRun, type PinePlan, type PlannedSeries, type SecurityRequest } from './plan.js';
import { prefetchSeries } from './prefetch-series.js';
import type { PineSymbolInfo } from './symbol-info.js';

export interface PineSessionOptions {
  /** The chart's symbol (an exchange prefix such as `NASDAQ:` is ignored). */
  symbol: string;
  /** The chart's Pine timeframe: '1', '5', '15', '30', '60', 'D', 'W', 'M'… */
  timeframe: string;
  /** First and last chart bar (inclusive); a date-only `end` of an intraday chart means that whole day. */
  start: TimeInput;
  end: TimeInput;
  /** The Pine script: its `request.security` calls with literal arguments are prefetched too. */
  script?: string;
  /** Series the script reads that its source does not spell out (a symbol from an input, say). */
  securities?: readonly SecurityRequest[];
  /** syminfo fields per symbol the cache does not know (currency, mintick, description…). */
  symbolInfo?: Readonly<Record<string, Partial<PineSymbolInfo>>>;
  /** The market trades at weekends (crypto): see KlineOptions.weekendTrading. Default false. */
  weekendTrading?: boolean;
  /**
   * How far back the cache's provider serves each interval, to refuse a range it cannot serve
   * before anything runs. Default: Yahoo's (YAHOO_LIMITS). `null`: no limit known.
   */
  providerLimits?: Pick<ProviderLimits, 'maxAgeMs'> | null;
  signal?: AbortSignal;
  /** Clock for the provider-range check. Default Date.now. */
  now?: () => number;
}

/** The arguments for `new PineTS(provider, tickerId, timeframe, undefined, sDate, eDate)`. */
export interface PineChartArgs {
  tickerId: string;
  timeframe: string;
  sDate: number;
  eDate: number;
}

/**
 * A prepared Pine run: every series the script reads is resident and pinned; `run` executes the
 * script through PineTS with `provider` as its data hook (every read an L1 hit).
 */
export interface PineSession extends AsyncDisposable {
  readonly plan: PinePlan;
  readonly reports: readonly PrefetchReport[];
  /** PineTS's data hook (IProvider). Prefer `run`: it turns a failed read into a rejection. */
  readonly provider: BarcachePineProvider;
  readonly chart: PineChartArgs;
  /** Runs `script` (default: the session's) over the chart; rejects with a coded error, never hangs, on a read the session cannot serve. */
  run(script?: string): Promise<Context>;
  /** Unpins the session's series (they stay cached). Idempotent. */
  release(): void;
  /** The same as release(): `await using session = await preparePineSession(…)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The PineTS time window of the chart: from 00:00 exchange time on `start`'s date to the end of `end`'s date (daily+). */
function chartWindow(chart: PlannedSeries, start: number, end: number, timezone: string, weekendTrading: boolean): { sDate: number; eDate: number } {
  if (isIntraday(chart.interval)) return { sDate: start, eDate: chart.end };
  const day = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
  const opts = { timezone, weekendTrading };
  return { sDate: barSpan('1d', day(start), opts).openTime, eDate: barSpan('1d', day(end), opts).closeTime - 1 };
}

/** The PineTS window a prepared series answers in full. */
function servedWindow(s: PlannedSeries, timezone: string, weekendTrading: boolean): { from: number; until: number } {
  const opts = { timezone, weekendTrading };
  if (isIntraday(s.interval)) return { from: s.start, until: s.end };
  const day = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
  return { from: barSpan('1d', day(s.start), opts).openTime, until: barSpan('1d', day(s.end), opts).closeTime };
}

/** Each cached symbol's exchange time zone, as its provider reported it. */
async function exchangeZones(cache: BarCache): Promise<Map<string, string>> {
  const zones = new Map<string, string>();
  for (const info of await cache.listSeries()) if (info.timezone && !zones.has(info.symbol)) zones.set(info.symbol, info.timezone);
  return zones;
}

/**
 * Plans the run (chart + every `request.security` series), prefetches all of it in one planned
 * pass, and returns the session. Throws before anything runs, naming the script's call:
 * UNSUPPORTED_INTERVAL, INVALID_ARGUMENT, OUT_OF_PROVIDER_RANGE, or the provider's code for a
 * series that could not be loaded (UNKNOWN_SYMBOL, PROVIDER_FAILED, RATE_LIMITED…).
 */
export async function preparePineSession(cache: BarCache, options: PineSessionOptions): Promise<PineSession> {
  if (options === null || typeof options !== 'object') throw new TypeError('preparePineSession(cache, options) needs an options object');
  const start = parseTimeInput(options.start, 'start');
  const end = parseTimeInput(options.end, 'end');
  if (end < start) throw new BarcacheError(ErrorCode.INVALID_ARGUMENT, `end is before start`, { details: { field: 'end', start, end } });
  const weekendTrading = options.weekendTrading === true;
  const limits = options.providerLimits === null ? undefined : (options.providerLimits ?? YAHOO_LIMITS);
  const plan = planPineRun({
    symbol: options.symbol,
    timeframe: options.timeframe,
    start,
    end,
    ...(options.script !== undefined && { script: options.script }),
    ...(options.securities && { securities: options.securities }),
    ...(limits && { limits }),
    now: (options.now ?? Date.now)(),
  });
  const pass = await prefetchSeries(cache, plan.series, options.signal);
  let zones: Map<string, string>;
  try {
    // The group's prefetch may span more than the chart: count the chart's own range (a memory read).
    const chartBars = cache.peekBars({ symbol: plan.chart.symbol, interval: plan.chart.interval, start, end: plan.chart.end });
    if (chartBars?.length === 0) {
      throw new BarcacheError(
        ErrorCode.NO_DATA,
        `${plan.chart.readers[0]}: no ${plan.chart.interval} bars of ${plan.chart.symbol} in ${formatTime(start)}..${formatTime(plan.chart.end)} (a weekend or holiday range?)`,
        { details: { symbol: plan.chart.symbol, interval: plan.chart.interval, start, end: plan.chart.end } },
      );
    }
    zones = await exchangeZones(cache);
  } catch (err) {
    pass.release();
    throw err;
  }

  const served = new Map<string, ServedSeries>();
  for (const s of plan.series) {
    const timezone = zones.get(s.symbol) ?? 'UTC';
    // The prefetch widened the range by the lookback the call asked for.
    const report = pass.reports.filter((r) => r.interval === s.interval).flatMap((r) => r.symbols.filter((x) => x.symbol === s.symbol))[0];
    const prepStart = report && Number.isFinite(report.start) ? Math.min(report.start, s.start) : s.start;
    served.set(`${s.symbol}|${s.interval}`, {
      ...s,
      start: prepStart,
      ...servedWindow(s, timezone, weekendTrading),
      klines: { timezone, weekendTrading },
      historyComplete: report?.lookbackSatisfied === false,
      ...(pass.unknown.has(`${s.symbol}|${s.interval}`) && { unknown: true }),
    });
  }

  // The runs in flight: a read the session cannot serve rejects each of them (PineTS itself would hang).
  const inFlight = new Set<(err: BarcacheError) => void>();
  const provider = new BarcachePineProvider(cache, served, plan.unplanned, options.symbolInfo ?? {}, (err) => {
    for (const reject of inFlight) reject(err);
  });
  const chartZone = served.get(`${plan.chart.symbol}|${plan.chart.interval}`)!.klines.timezone;
  const chart: PineChartArgs = { tickerId: options.symbol, timeframe: options.timeframe, ...chartWindow(plan.chart, start, end, chartZone, weekendTrading) };

  return {
    plan,
    reports: pass.reports,
    provider,
    chart,
    async run(script = options.script) {
      if (script === undefined) throw new TypeError('run(script) needs the Pine script (none was given to preparePineSession)');
      let reject: (err: BarcacheError) => void = () => {};
      const failure = new Promise<never>((_, r) => {
        reject = r;
      });
      inFlight.add(reject);
      try {
        const pine = new PineTS(provider, chart.tickerId, chart.timeframe, undefined, chart.sDate, chart.eDate);
        return await Promise.race([pine.run(script), failure]);
      } finally {
        inFlight.delete(reject);
      }
    },
    release: pass.release,
    async [Symbol.asyncDispose]() {
      pass.release();
    },
  };
}

/** Prepares, runs `options.script` once and releases: the one-call form. */
export async function runPineScript(cache: BarCache, options: PineSessionOptions & { script: string }): Promise<Context> {
  const session = await preparePineSession(cache, options);
  try {
    return await session.run();
  } finally {
    session.release();
  }
}
