import { performance } from 'node:perf_hooks';
import { BarcacheError, ErrorCode, isBarcacheError } from '../errors.js';
import type { PrefetchPlan, PrefetchReport, PrefetchSession, PrefetchSymbolReport } from '../types.js';
import type { CacheContext } from './cache-context.js';
import type { ParsedPlan, QueryParser } from './query-parsing.js';
import type { FillSlot, SymbolPreparer } from './symbol-preparer.js';
import pLimit from 'p-limit';
import { predictedLoadBuffers } from './load-reservation.js';

/**
 * Symbols a prefetch fills from the provider at once (a user's own provider has no limiter of its
 * own; Yahoo's also bounds HTTP concurrency). A store that reads many series at once well
 * (`supports.readConcurrency`) gets more workers, but their fills still wait for one of these.
 */
const PREFETCH_CONCURRENCY = 4;

/**
 * Prefetch sessions: runs a plan over its symbols (a few at a time, each failure reported on its
 * symbol, the rest still usable) and hands back a session handle that holds the pins until it is
 * released or disposed. `releaseAll` (close) ends every session.
 */
export class PrefetchSessions {
  readonly #ctx: CacheContext;
  readonly #parser: QueryParser;
  readonly #preparer: SymbolPreparer;
  readonly #open = new Set<Session>();

  constructor(ctx: CacheContext, parser: QueryParser, preparer: SymbolPreparer) {
    this.#ctx = ctx;
    this.#parser = parser;
    this.#preparer = preparer;
  }

  async run(parsed: ParsedPlan, plan: PrefetchPlan): Promise<PrefetchSession> {
    const ctx = this.#ctx;
    const started = performance.now();
    const holder = Symbol('prefetch-session');
    const callsBefore = ctx.counters.providerCalls;
    const barsBefore = ctx.counters.providerBars;
    const total = parsed.symbols.length;
    const reports: PrefetchSymbolReport[] = new Array(total);
    let done = 0;
    let next = 0;
    const fillSlot = pLimit(PREFETCH_CONCURRENCY);
    const worker = async (): Promise<void> => {
      while (next < total) {
        const index = next++;
        const symbol = parsed.symbols[index]!;
        reports[index] = await this.#prepareOne(parsed, symbol, plan.signal, holder, fillSlot);
        done++;
        const r = reports[index]!;
        plan.onProgress?.({ symbol, done, total, status: r.error ? 'failed' : 'ok', ...(r.error ? { error: r.error } : {}) });
      }
    };
    // A store that reads many series at once well (a follower's batches) asks for more.
    const concurrency = Math.max(PREFETCH_CONCURRENCY, ctx.store.supports.readConcurrency ?? 0);
    // The columns a warm load will decode into, allocated now and pre-faulted by another thread.
    // A follower's reads are served by its leader's process on the other core: huge pages only.
    const reserved = ctx.prefaulted?.reserve(predictedLoadBuffers(ctx, parsed, (s) => this.#parser.seriesKey(s, parsed.interval)), ctx.memoryMaxBytes, {
      hugePagesOnly: ctx.store.supports.servedByAnotherProcess === true,
    });
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
    } finally {
      reserved?.release();
    }
    const report: PrefetchReport = {
      interval: parsed.interval,
      symbols: reports,
      providerCalls: ctx.counters.providerCalls - callsBefore,
      barsFetched: ctx.counters.providerBars - barsBefore,
      elapsedMs: performance.now() - started,
      failed: reports.filter((r) => r.error).map((r) => r.symbol),
    };
    ctx.counters.prefetchRuns++;
    ctx.counters.prefetchSymbols += total;
    ctx.counters.lastPrefetchAt = ctx.now();
    ctx.touchSnapshots();
    const session = new Session(report, () => {
      ctx.memory.unpinAll(holder);
      this.#open.delete(session);
    });
    this.#open.add(session);
    return session;
  }

  /** Ends every open session (close()). */
  releaseAll(): void {
    for (const session of [...this.#open]) session.release();
  }

  async #prepareOne(parsed: ParsedPlan, symbol: string, signal: AbortSignal | undefined, holder: symbol, fillSlot: FillSlot): Promise<PrefetchSymbolReport> {
    if (signal?.aborted) return failedSymbol(symbol, parsed, new BarcacheError(ErrorCode.ABORTED, 'prefetch was cancelled'));
    try {
      const key = this.#parser.seriesKey(symbol, parsed.interval);
      return await this.#preparer.prepare(key, { ...parsed, symbol, signal, fillSlot }, holder);
    } catch (err) {
      return failedSymbol(symbol, parsed, err);
    }
  }
}

/**
 * The handle prefetch returns: the report, and the pins until release() or disposal. `release` is
 * bound, so `const { report, release } = await cache.prefetch(plan)` works too.
 */
class Session implements PrefetchSession {
  readonly report: PrefetchReport;
  readonly release: () => void;

  constructor(report: PrefetchReport, unpin: () => void) {
    this.report = report;
    let released = false;
    this.release = () => {
      if (released) return;
      released = true;
      unpin();
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }
}

function failedSymbol(symbol: string, p: { start: number; end: number }, err: unknown): PrefetchSymbolReport {
  const error = isBarcacheError(err)
    ? { code: err.code, message: err.message }
    : { code: ErrorCode.PROVIDER_FAILED, message: (err as Error)?.message ?? String(err) };
  return {
    symbol,
    start: p.start,
    end: p.end,
    bars: 0,
    lookbackBars: 0,
    lookbackSatisfied: false,
    providerCalls: 0,
    source: 'provider',
    windowed: false,
    error,
  };
}
