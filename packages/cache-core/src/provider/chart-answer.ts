/**
 * Reading Yahoo's chart answer leniently and checking what the cache needs. Pure: no I/O.
 *
 * yahoo-finance2 validates an answer against its whole result schema and rejects real answers
 * whose bars are fine (`meta.currency: null`, no `meta.regularMarketPrice`). The cache needs far
 * less: the symbol, the timestamps, the OHLCV and adjclose columns, the split and dividend events,
 * the exchange's zone and the first trade date. Those are checked here, strictly; everything else
 * in `meta` may be anything. A body that fails is a YahooBadResponseError (PROVIDER_BAD_RESPONSE).
 */
import { YahooBadResponseError } from './yahoo-errors.js';

type Price = number | null;

/** The part of a chart answer the cache reads, after checkChartAnswer. */
export interface ChartAnswer {
  meta: {
    symbol?: string;
    exchangeTimezoneName?: string;
    /** Seconds east of UTC. */
    gmtoffset?: number;
    /** Epoch seconds. */
    firstTradeDate?: number;
  };
  /** Epoch seconds, one per row; empty for a range without bars. */
  timestamp: number[];
  quote: { open: Price[]; high: Price[]; low: Price[]; close: Price[]; volume: Price[] };
  adjclose?: Price[];
  /** Epoch seconds. */
  dividends: { date: number; amount: number }[];
  splits: { date: number; numerator: number; denominator: number }[];
}

const COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;

function bad(message: string): never {
  throw new YahooBadResponseError(message);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** A column of prices/volumes: an array of `rows` entries, each a finite number or null. */
function column(value: unknown, rows: number, name: string): Price[] {
  if (!Array.isArray(value)) bad(`the chart has ${rows} timestamps but no ${name} column`);
  if (value.length !== rows) bad(`the chart has ${rows} timestamps but ${value.length} ${name} values`);
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (v !== null && !isFiniteNumber(v)) bad(`${name}[${i}] is ${JSON.stringify(v)}, not a number or null`);
  }
  return value as Price[];
}

/** True when a quote object carries no data (Yahoo's `{}` for a range without bars, or only empty columns). */
function isEmptyQuote(q: unknown): boolean {
  if (q === undefined || q === null) return true;
  if (!isObject(q)) return false;
  return Object.values(q).every((v) => v === null || (Array.isArray(v) && v.length === 0));
}

function events(raw: unknown): Pick<ChartAnswer, 'dividends' | 'splits'> {
  const out: Pick<ChartAnswer, 'dividends' | 'splits'> = { dividends: [], splits: [] };
  if (raw === undefined || raw === null) return out;
  if (!isObject(raw)) bad('events is not an object');
  const entries = (v: unknown, name: string): unknown[] => {
    if (v === undefined || v === null) return [];
    if (!isObject(v)) bad(`events.${name} is not an object`);
    return Object.values(v);
  };
  for (const d of entries(raw.dividends, 'dividends')) {
    if (!isObject(d) || !isFiniteNumber(d.date) || !isFiniteNumber(d.amount)) bad(`a dividend is malformed: ${JSON.stringify(d)}`);
    out.dividends.push({ date: d.date, amount: d.amount });
  }
  for (const s of entries(raw.splits, 'splits')) {
    if (!isObject(s) || !isFiniteNumber(s.date) || !isFiniteNumber(s.numerator) || !isFiniteNumber(s.denominator) || s.numerator <= 0 || s.denominator <= 0) {
      bad(`a split is malformed: ${JSON.stringify(s)}`);
    }
    out.splits.push({ date: s.date, numerator: s.numerator, denominator: s.denominator });
  }
  return out;
}

/**
 * Checks a parsed chart body (`{ chart: { result: [ … ], error } }`) for `symbol` and returns what
 * the cache reads from it. Throws YahooBadResponseError when the body is not a chart, its columns
 * disagree with its timestamps, quotes come without timestamps, a value is not a number, an event
 * is malformed, or the chart is another symbol's (`meta.symbol`, compared without case).
 */
export function checkChartAnswer(body: unknown, symbol: string): ChartAnswer {
  if (!isObject(body) || !isObject(body.chart)) bad(`the body is not a chart: ${JSON.stringify(body)?.slice(0, 160)}`);
  const chart = body.chart;
  if (!Array.isArray(chart.result) || chart.result.length === 0) {
    const error = isObject(chart.error) ? `: ${String(chart.error.description ?? chart.error.code ?? '')}` : '';
    bad(`the chart has no result (chart.result is ${JSON.stringify(chart.result) ?? 'missing'})${error}`);
  }
  const result: unknown = chart.result[0];
  if (!isObject(result)) bad('chart.result[0] is not an object');
  const rawMeta = result.meta;
  if (!isObject(rawMeta)) bad('the chart has no meta');

  const meta: ChartAnswer['meta'] = {};
  if (rawMeta.symbol !== undefined && rawMeta.symbol !== null) {
    if (typeof rawMeta.symbol !== 'string') bad(`meta.symbol is ${JSON.stringify(rawMeta.symbol)}`);
    if (rawMeta.symbol.toUpperCase() !== symbol.toUpperCase()) {
      bad(`the answer carries ${rawMeta.symbol}'s data, but ${symbol} was asked for`);
    }
    meta.symbol = rawMeta.symbol;
  }
  if (typeof rawMeta.exchangeTimezoneName === 'string' && rawMeta.exchangeTimezoneName !== '') meta.exchangeTimezoneName = rawMeta.exchangeTimezoneName;
  if (isFiniteNumber(rawMeta.gmtoffset)) meta.gmtoffset = rawMeta.gmtoffset;
  if (isFiniteNumber(rawMeta.firstTradeDate)) meta.firstTradeDate = rawMeta.firstTradeDate;

  const ev = events(result.events);
  const indicators = result.indicators;
  if (indicators !== undefined && indicators !== null && !isObject(indicators)) bad('indicators is not an object');
  const quotes = isObject(indicators) ? indicators.quote : undefined;
  if (quotes !== undefined && quotes !== null && !Array.isArray(quotes)) bad('indicators.quote is not an array');
  const quote: unknown = Array.isArray(quotes) ? quotes[0] : undefined;
  const adj: unknown = isObject(indicators) && Array.isArray(indicators.adjclose) ? indicators.adjclose[0] : undefined;

  const ts = result.timestamp;
  if (ts === undefined || ts === null || (Array.isArray(ts) && ts.length === 0)) {
    // A range without bars: Yahoo sends no timestamps and `quote: [{}]`. Quotes without
    // timestamps cannot be placed in time.
    if (!isEmptyQuote(quote) || !isEmptyQuote(isObject(adj) ? adj : undefined)) bad('the chart has quotes but no timestamps');
    return { meta, timestamp: [], quote: { open: [], high: [], low: [], close: [], volume: [] }, ...ev };
  }
  if (!Array.isArray(ts)) bad(`timestamp is ${JSON.stringify(ts).slice(0, 80)}, not an array`);
  for (let i = 0; i < ts.length; i++) {
    if (!isFiniteNumber(ts[i])) bad(`timestamp[${i}] is ${JSON.stringify(ts[i])}, not a number`);
  }
  if (!isObject(quote)) bad(`the chart has ${ts.length} timestamps but no quotes`);
  const rows = ts.length;
  const q = Object.fromEntries(COLUMNS.map((name) => [name, column(quote[name], rows, name)])) as ChartAnswer['quote'];
  const out: ChartAnswer = { meta, timestamp: ts as number[], quote: q, ...ev };
  if (isObject(adj) && adj.adjclose !== undefined && adj.adjclose !== null) out.adjclose = column(adj.adjclose, rows, 'adjclose');
  return out;
}
