/**
 * A loopback HTTP server that speaks Yahoo Finance's chart API (`GET /v8/finance/chart/<SYMBOL>`)
 * closely enough for the real yahoo-finance2 client to accept its answers (they pass the
 * client's result schema). It serves deterministic synthetic bars (or your own source, or
 * fixture files), records every request, and injects faults (429/5xx, hangs, empty charts,
 * null prices, 404s, malformed charts, another symbol's data).
 *
 * The data it serves is LOCAL and MADE UP unless you give it a source: label it as such.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { rewriteYahooUrl, type Bar, type Interval } from '@barcache/cache-core';
import { isIntradayInterval, syntheticBars, toEpochMs, type DateLike } from './synthetic-bars.js';
import { DAY_MS } from './trading-calendar.js';
import { atLocalTime, localDateMs, shortZoneName, tzOffsetMs } from './time-zones.js';
import { loadFixture } from './fixtures.js';

export type { BarSource, ChartFault, RecordedRequest, SymbolConfig, YahooChartServer, YahooChartServerOptions } from './yahoo-chart-server-types.js';
import type { BarSource, ChartFault, RecordedRequest, SymbolConfig, YahooChartServer, YahooChartServerOptions } from './yahoo-chart-server-types.js';


const KNOWN_INTERVALS = new Set(['1m', '2m', '5m', '15m', '30m', '60m', '90m', '1h', '1d', '5d', '1wk', '1mo', '3mo']);

const DEFAULT_SESSIONS: Record<string, { open: string; close: string }> = {
  'America/New_York': { open: '09:30', close: '16:00' },
  'America/Chicago': { open: '08:30', close: '15:00' },
  'Australia/Sydney': { open: '10:00', close: '16:00' },
  'Europe/London': { open: '08:00', close: '16:30' },
  'Europe/Berlin': { open: '09:00', close: '17:30' },
  'Asia/Tokyo': { open: '09:00', close: '15:00' },
};

const EXCHANGES: Record<string, string> = {
  'America/New_York': 'NMS',
  'Australia/Sydney': 'ASX',
  'Europe/London': 'LSE',
  'Europe/Berlin': 'GER',
  'Asia/Tokyo': 'JPX',
};

const CURRENCIES: Record<string, string> = {
  'Australia/Sydney': 'AUD',
  'Europe/London': 'GBp',
  'Europe/Berlin': 'EUR',
  'Asia/Tokyo': 'JPY',
};

const VALID_RANGES = ['1d', '5d', '1mo', '3mo', '6mo', '1y', '2y', '5y', '10y', 'ytd', 'max'];

/** Yahoo's body for an unknown symbol (HTTP 404). */
export const YAHOO_NOT_FOUND_BODY = {
  chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } },
} as const;

/** A fetch that rewrites Yahoo hosts to `baseUrl` and otherwise behaves like `inner` (default: global fetch). */
export function fetchVia(baseUrl: string, inner: typeof fetch = globalThis.fetch): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit) => {
    if (typeof input === 'string' || input instanceof URL) return inner(rewriteYahooUrl(String(input), baseUrl), init);
    return inner(new Request(rewriteYahooUrl(input.url, baseUrl), input), init);
  }) as typeof fetch;
}

function sessionFor(cfg: SymbolConfig): { tz: string; open: string; close: string } {
  const tz = cfg.timezone ?? 'America/New_York';
  const s = cfg.session ?? DEFAULT_SESSIONS[tz] ?? { open: '09:30', close: '16:00' };
  return { tz, open: s.open, close: s.close };
}

interface FaultEntry {
  symbol: string | undefined;
  fault: ChartFault;
  remaining: number;
}

/** Starts the server on 127.0.0.1 with an OS-assigned port. */
export async function startYahooChartServer(options: YahooChartServerOptions = {}): Promise<YahooChartServer> {
  const requests: RecordedRequest[] = [];
  const symbols = new Map<string, SymbolConfig>(Object.entries(options.symbols ?? {}).map(([k, v]) => [k.toUpperCase(), v]));
  const known = options.knownSymbols ? new Set(options.knownSymbols.map((s) => s.toUpperCase())) : undefined;
  const unknown = new Set((options.unknownSymbols ?? ['NOSUCHSYMBOL', 'DELISTED']).map((s) => s.toUpperCase()));
  const now = options.now ?? Date.now;
  let latencyMs = options.latencyMs ?? 0;
  let faults: FaultEntry[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const defaultSource: BarSource = (symbol, interval, p1, p2, { includePrePost }) => {
    const cfg = symbols.get(symbol) ?? {};
    const { tz, open, close } = sessionFor(cfg);
    if (isIntradayInterval(interval)) {
      return syntheticBars({ symbol, interval, start: p1, end: p2, seed: options.seed ?? 0, timezone: tz, session: { open, close }, includePrePost });
    }
    // Daily+: bar dates are local dates; widen so the timestamp filter decides.
    return syntheticBars({ symbol, interval, start: localDateMs(p1, tz) - 2 * DAY_MS, end: p2 + 2 * DAY_MS, seed: options.seed ?? 0 });
  };

  function takeFault(symbol: string): ChartFault | undefined {
    const i = faults.findIndex((f) => f.symbol === undefined || f.symbol === symbol);
    if (i < 0) return undefined;
    const entry = faults[i] as FaultEntry;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.splice(i, 1);
    return entry.fault;
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain;charset=utf-8' : 'application/json;charset=utf-8',
      'cache-control': 'private, max-age=10',
      ...headers,
    });
    res.end(text);
  }

  function meta(symbol: string, cfg: SymbolConfig, interval: string, lastClose: number | undefined, firstClose: number | undefined) {
    const { tz, open, close } = sessionFor(cfg);
    const t = now();
    const today = localDateMs(t, tz);
    const gmtoffset = Math.round(tzOffsetMs(t, tz) / 1000);
    const zone = shortZoneName(t, tz);
    const period = (from: string, to: string) => ({
      timezone: zone,
      start: Math.floor(atLocalTime(today, from, tz) / 1000),
      end: Math.floor(atLocalTime(today, to, tz) / 1000),
      gmtoffset,
    });
    return {
      currency: cfg.currency ?? CURRENCIES[tz] ?? 'USD',
      symbol,
      exchangeName: cfg.exchangeName ?? EXCHANGES[tz] ?? 'XXX',
      fullExchangeName: cfg.exchangeName ?? EXCHANGES[tz] ?? 'XXX',
      instrumentType: cfg.instrumentType ?? 'EQUITY',
      firstTradeDate: Math.floor(atLocalTime(Date.UTC(1980, 11, 12), open, tz) / 1000),
      regularMarketTime: Math.floor(t / 1000),
      hasPrePostMarketData: true,
      gmtoffset,
      timezone: zone,
      exchangeTimezoneName: tz,
      regularMarketPrice: lastClose ?? 100,
      longName: `${symbol} (synthetic)`,
      shortName: `${symbol} (synthetic)`,
      chartPreviousClose: firstClose ?? 100,
      priceHint: 2,
      currentTradingPeriod: {
        pre: period('04:00', open),
        regular: period(open, close),
        post: period(close, '20:00'),
      },
      dataGranularity: interval,
      range: '',
      validRanges: VALID_RANGES,
    };
  }

  async function answerChart(req: IncomingMessage, res: ServerResponse, symbol: string, q: URLSearchParams, rec: RecordedRequest): Promise<void> {
    const interval = q.get('interval') ?? '1d';
    const cfg = symbols.get(symbol) ?? {};

    if ((known && !known.has(symbol) && !symbols.has(symbol)) || unknown.has(symbol)) {
      rec.status = 404;
      rec.outcome = 'notFound';
      return send(res, 404, YAHOO_NOT_FOUND_BODY);
    }

    const fault = takeFault(symbol);
    if (fault?.kind === 'hang') {
      rec.status = 'hang';
      rec.outcome = 'hang';
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (fault?.kind === 'status') {
      rec.status = fault.status;
      rec.outcome = 'status';
      const headers: Record<string, string> = fault.retryAfterSec !== undefined ? { 'retry-after': String(fault.retryAfterSec) } : {};
      if (fault.body !== undefined) return send(res, fault.status, fault.body, headers);
      if (fault.status === 429) return send(res, 429, 'Too Many Requests\r\n', headers);
      if (fault.status >= 500) return send(res, fault.status, fault.status === 503 ? 'Service Unavailable' : 'Internal Server Error', headers);
      return send(res, fault.status, { chart: { result: null, error: { code: 'Bad Request', description: `Injected ${fault.status}` } } }, headers);
    }
    if (fault?.kind === 'notFound') {
      rec.status = 404;
      rec.outcome = 'notFound';
      return send(res, 404, YAHOO_NOT_FOUND_BODY);
    }
    if (fault?.kind === 'malformed') {
      rec.status = 200;
      rec.outcome = 'malformed';
      return send(res, 200, { finance: { result: [], error: null }, unexpected: true });
    }
    if (fault?.kind === 'nullResult') {
      rec.status = 200;
      rec.outcome = 'nullResult';
      return send(res, 200, { chart: { result: null, error: null } });
    }

    if (cfg.fixture !== undefined) {
      const body = typeof cfg.fixture === 'string' ? loadFixture(cfg.fixture) : cfg.fixture;
      const status = cfg.fixtureStatus ?? (cfg.fixture === '404-not-found.json' ? 404 : 200);
      rec.status = status;
      rec.outcome = 'fixture';
      return send(res, status, body);
    }

    const p1 = Number(q.get('period1'));
    const p2 = Number(q.get('period2'));
    if (!Number.isFinite(p1) || !Number.isFinite(p2) || !q.has('period1')) {
      rec.status = 400;
      rec.outcome = 'badRequest';
      return send(res, 400, { chart: { result: null, error: { code: 'Bad Request', description: 'Invalid input - period1 and period2 are required' } } });
    }
    if (!KNOWN_INTERVALS.has(interval)) {
      rec.status = 400;
      rec.outcome = 'badRequest';
      return send(res, 400, { chart: { result: null, error: { code: 'Bad Request', description: `Invalid input - interval=${interval} is not supported. Valid intervals: [${[...KNOWN_INTERVALS].join(', ')}]` } } });
    }
    if (p1 > p2) {
      rec.status = 400;
      rec.outcome = 'badRequest';
      return send(res, 400, { chart: { result: null, error: { code: 'Bad Request', description: `Invalid input - start date cannot be after the end date. startDate = ${p1}, endDate = ${p2}` } } });
    }

    const iv = interval as Interval;
    const { tz, open } = sessionFor(cfg);
    const source = cfg.source ?? options.source ?? defaultSource;
    // Yahoo's default for includePrePost is false when the parameter is absent.
    const raw = await source(symbol, iv, p1 * 1000, p2 * 1000, { includePrePost: q.get('includePrePost') === 'true' });
    const intraday = isIntradayInterval(iv);
    const rows = raw
      .map((b) => ({ ts: Math.floor((intraday ? b.time : atLocalTime(b.time, open, tz)) / 1000), b }))
      .filter((r) => r.ts >= p1 && r.ts < p2)
      .sort((a, b) => a.ts - b.ts);

    const wantEvents = q.get('events') ?? '';
    const inRange = (date: DateLike) => {
      const ts = Math.floor(atLocalTime(Math.floor(toEpochMs(date) / DAY_MS) * DAY_MS, open, tz) / 1000);
      return ts >= p1 && ts < p2 ? ts : undefined;
    };
    let events: Record<string, Record<string, unknown>> | undefined;
    if (wantEvents.includes('div') && cfg.dividends?.length) {
      const divs: Record<string, unknown> = {};
      for (const d of cfg.dividends) {
        const ts = inRange(d.date);
        if (ts !== undefined) divs[String(ts)] = { amount: d.amount, date: ts };
      }
      if (Object.keys(divs).length) (events ??= {}).dividends = divs;
    }
    if (wantEvents.includes('split') && cfg.splits?.length) {
      const splits: Record<string, unknown> = {};
      for (const s of cfg.splits) {
        const ts = inRange(s.date);
        if (ts !== undefined) {
          splits[String(ts)] = { date: ts, numerator: s.numerator, denominator: s.denominator, splitRatio: `${s.numerator}:${s.denominator}` };
        }
      }
      if (Object.keys(splits).length) (events ??= {}).splits = splits;
    }

    const empty = fault?.kind === 'empty' || rows.length === 0;
    const result: Record<string, unknown> = {
      meta: meta(symbol, cfg, interval, rows.at(-1)?.b.close, rows[0]?.b.open),
    };
    if (empty) {
      result.indicators = intraday ? { quote: [{}] } : { quote: [{}], adjclose: [{}] };
      if (events) result.events = events;
      rec.status = 200;
      rec.outcome = 'empty';
      rec.bars = 0;
      return send(res, 200, { chart: { result: [result], error: null } });
    }
    const every = fault?.kind === 'nullBars' ? Math.max(1, fault.every ?? 3) : 0;
    const isNull = (i: number) => every > 0 && i % every === 0;
    const col = (f: (b: Bar) => number | undefined) => rows.map((r, i) => (isNull(i) ? null : (f(r.b) ?? null)));
    if (fault?.kind !== 'noTimestamps') result.timestamp = rows.map((r) => r.ts);
    if (fault?.kind === 'otherSymbol') (result.meta as { symbol: string }).symbol = fault.symbol ?? 'OTHER';
    if (events) result.events = events;
    const quote = { open: col((b) => b.open), high: col((b) => b.high), low: col((b) => b.low), close: col((b) => b.close), volume: col((b) => b.volume) };
    result.indicators = intraday
      ? { quote: [quote] }
      : { quote: [quote], adjclose: [{ adjclose: col((b) => b.adjClose ?? b.close) }] };
    rec.status = 200;
    rec.outcome = fault?.kind === 'noTimestamps' || fault?.kind === 'otherSymbol' ? fault.kind : every > 0 ? 'nullBars' : 'ok';
    rec.bars = rows.length;
    return send(res, 200, { chart: { result: [result], error: null } });
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/v8\/finance\/chart\/([^/]+)\/?$/.exec(url.pathname);
    const q = url.searchParams;
    const p1 = Number(q.get('period1'));
    const p2 = Number(q.get('period2'));
    const ipp = q.get('includePrePost');
    const rec: RecordedRequest = {
      symbol: m ? decodeURIComponent(m[1] as string).toUpperCase() : '',
      interval: q.get('interval') ?? '1d',
      period1: p1,
      period2: p2,
      start: p1 * 1000,
      end: p2 * 1000,
      events: q.get('events') ?? undefined,
      includePrePost: ipp === null ? undefined : ipp === 'true',
      url: req.url ?? '/',
      at: Date.now(),
      status: 0,
      outcome: '',
      bars: 0,
    };
    requests.push(rec);
    const go = async () => {
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
      if (!m || req.method !== 'GET') {
        rec.status = 404;
        rec.outcome = 'notFound';
        return send(res, 404, { finance: { result: null, error: { code: 'Not Found', description: 'HTTP 404 Not Found' } } });
      }
      return answerChart(req, res, rec.symbol, q, rec);
    };
    go().catch((err: unknown) => {
      rec.status = 500;
      rec.outcome = 'serverError';
      if (!res.headersSent) send(res, 500, `test server error: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    port,
    requests,
    chartRequests(symbol?: string, interval?: string) {
      const s = symbol?.toUpperCase();
      return requests.filter((r) => r.symbol !== '' && (s === undefined || r.symbol === s) && (interval === undefined || r.interval === interval));
    },
    setFault(fault, symbol) {
      const s = symbol?.toUpperCase();
      if (fault === null) {
        faults = faults.filter((f) => f.symbol !== s);
        return;
      }
      faults.push({ symbol: s, fault, remaining: fault.times ?? Infinity });
    },
    failNext(n, status, opts = {}) {
      if (n <= 0) return;
      const fault: ChartFault = { kind: 'status', status, times: n };
      if (opts.retryAfterSec !== undefined) fault.retryAfterSec = opts.retryAfterSec;
      faults.push({ symbol: opts.symbol?.toUpperCase(), fault, remaining: n });
    },
    clearFaults() {
      faults = [];
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    configureSymbol(symbol, config) {
      symbols.set(symbol.toUpperCase(), { ...symbols.get(symbol.toUpperCase()), ...config });
    },
    resetRequests() {
      requests.length = 0;
    },
    fetch: fetchVia(url),
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        hanging.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}
