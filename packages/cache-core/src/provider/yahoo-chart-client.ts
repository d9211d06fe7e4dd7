/**
 * One HTTP attempt at Yahoo's chart API through yahoo-finance2 v3 (which builds the request):
 * the base-URL rewrite, the attempt's time-out and the caller's signal, HTTP errors and
 * unreachable hosts raised here (so yahoo-finance2 never prints them), and the body read
 * leniently and checked for what the cache needs (chart-answer.ts).
 *
 * yahoo-finance2 is loaded on the first request (a dynamic import): importing cache-core, or
 * opening a cache with another provider, never pays for it.
 */
import { checkChartAnswer, type ChartAnswer } from './chart-answer.js';
import { parseRetryAfter, unreachableCodeOf } from './retry-policy.js';
import { YahooBadResponseError, YahooHttpError, YahooTimeoutError, YahooUnreachableError } from './yahoo-errors.js';
import { hostOfUrl, rewriteYahooUrl } from './yahoo-url.js';

type YahooFinanceInstance = { chart: (symbol: string, query: unknown, moduleOptions?: unknown) => Promise<unknown> };
type LogLevel = 'info' | 'warn' | 'error' | 'debug';

export interface YahooChartClientOptions {
  /** The fetch used for every request. Default: globalThis.fetch at call time. */
  fetch?: typeof fetch | undefined;
  /** Send requests for Yahoo's hosts to this base URL instead (rewriteYahooUrl). */
  baseUrl?: string | undefined;
  /** Where yahoo-finance2's own messages go. Default: nowhere. */
  log?: ((level: LogLevel, ...args: unknown[]) => void) | undefined;
}

/** What chart() asks Yahoo for (yahoo-finance2's chart query). */
export interface ChartQuery {
  period1: number;
  period2: number;
  interval: string;
  includePrePost: boolean;
  events: string;
}

const EMPTY_CHART = JSON.stringify({ chart: { result: [{ meta: {}, indicators: { quote: [{}] } }], error: null } });

export class YahooChartClient {
  readonly #opts: YahooChartClientOptions;
  #yf: Promise<YahooFinanceInstance> | undefined;

  constructor(options: YahooChartClientOptions = {}) {
    this.#opts = options;
  }

  /**
   * Asks for `symbol`'s chart; resolves with the checked answer. Rejects with YahooHttpError,
   * YahooTimeoutError (after `timeoutMs`), YahooUnreachableError, YahooBadResponseError, an
   * error of yahoo-finance2's, or the signal's reason.
   */
  async chart(symbol: string, query: ChartQuery, timeoutMs: number, outer?: AbortSignal): Promise<ChartAnswer> {
    const yf = await this.#client();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new YahooTimeoutError(timeoutMs)), timeoutMs);
    const signal = outer ? AbortSignal.any([outer, timeout.signal]) : timeout.signal;
    const box: { answer?: ChartAnswer } = {};
    try {
      // `return: 'object'` and `validateResult: false`: yahoo-finance2 neither reshapes nor
      // judges the body; checkChartAnswer (inside our fetch) has already read it.
      const call = yf.chart(symbol, { ...query, return: 'object' }, { fetch: this.#fetchFor(symbol, signal, box), validateResult: false });
      // Belt and braces: a custom fetch may ignore the signal; the race still returns on time.
      call.catch(() => {});
      await raceAbort(call, signal);
      if (!box.answer) throw new YahooBadResponseError('yahoo-finance2 returned without reading a chart');
      return box.answer;
    } finally {
      clearTimeout(timer);
    }
  }

  #client(): Promise<YahooFinanceInstance> {
    this.#yf ??= import('yahoo-finance2').then(({ default: YahooFinance }) => {
      const log = this.#opts.log;
      const to = (level: LogLevel) => (...args: unknown[]) => log?.(level, ...args);
      // A logger of our own is the supported way to silence yahoo-finance2: its notices, the
      // "Unsupported environment: Requires Node >= 22" warning (printed from the constructor via
      // logger.warn) and validation dumps all go through it.
      return new YahooFinance({
        logger: { info: to('info'), warn: to('warn'), error: to('error'), debug: to('debug'), dir: to('debug') },
        suppressNotices: ['yahooSurvey'],
        versionCheck: false,
        validation: { logErrors: false, logOptionsErrors: false },
        // yahoo-finance2's queue is shared by all its instances; the provider bounds concurrency.
        queue: { concurrency: 1024 },
      }) as unknown as YahooFinanceInstance;
    });
    this.#yf.catch(() => (this.#yf = undefined));
    return this.#yf;
  }

  /** The fetch handed to yahoo-finance2 for one attempt. */
  #fetchFor(symbol: string, signal: AbortSignal, box: { answer?: ChartAnswer }): typeof fetch {
    const base = this.#opts.baseUrl;
    const inner = this.#opts.fetch;
    return (async (input: string | URL | Request, init?: RequestInit) => {
      const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const url = base ? rewriteYahooUrl(raw, base) : raw;
      const f = inner ?? globalThis.fetch;
      let res: Response;
      try {
        res = await f(url, { ...init, signal });
      } catch (err) {
        const code = unreachableCodeOf(err);
        if (code !== undefined && !signal.aborted) throw new YahooUnreachableError(hostOfUrl(url), code, { cause: err });
        throw err;
      }
      const text = await res.text();
      if (!res.ok) throw new YahooHttpError(res.status, text, parseRetryAfter(res.headers.get('retry-after')), url);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new YahooBadResponseError(`Yahoo answered 200 with a body that is not JSON: ${text.slice(0, 120)}`);
      }
      box.answer = checkChartAnswer(body, symbol);
      // The answer is read; yahoo-finance2 gets an empty chart (the one shape it never rejects or
      // reshapes), so its result schema cannot turn a usable answer into an error.
      return new Response(EMPTY_CHART, { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
