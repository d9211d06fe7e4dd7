import { BarcacheError, ErrorCode, isBarcacheError } from '../errors.js';
import { freshCoverage, ledgerCovered } from '../planning/coverage-ledger.js';
import { planFetches, type FetchPlan } from '../planning/gap-planner.js';
import { servedSpan } from '../planning/provider-range.js';
import { coversRange, intersectRanges, subtractRanges, unionRanges } from '../planning/ranges.js';
import { seriesId, type SeriesKey } from '../series-key.js';
import type { SeriesMeta } from '../tiers/disk/bar-store.js';
import type { UpstreamFailure } from '../tiers/upstream-tier.js';
import { formatTimeRange } from '../time-input.js';
import type { TimeRange } from '../types.js';
import type { CacheContext } from './cache-context.js';
import type { FillCommitter } from './fill-commit.js';
import { assertServed, outOfProviderRange } from './range-guard.js';
import type { ResidentLoader } from './resident-loader.js';
import { factsOf } from './series-facts.js';
import type { StaleRefresh, StaleRefreshes } from './stale-refreshes.js';

export interface FillOptions {
  signal?: AbortSignal | undefined;
  /** Fail rather than serve stored bars whose refresh failed. */
  strict?: boolean | undefined;
}

export interface FillResult {
  /** Requests that reached the provider. */
  providerCalls: number;
  /** True when bars arrived from upstream (from the provider, or a shared tier without it). */
  filled?: boolean;
  /** Set when part of the range is served from stored bars whose refresh failed (stale if error). */
  stale?: StaleRefresh;
}

/** How many times a fill is planned again after LEASE_LOST (see `fill`). */
const MAX_LEASE_LOST_RETRIES = 3;

/**
 * Fills what a series' ledger lacks from the upstream chain (the provider, or a shared tier in
 * front of it). The caller holds the series' in-process lock; the filler adds the store's fill
 * lease, so one process at a time fills a series among all that share the store:
 *
 *   lease → re-read the meta from the store → re-plan (another process may have filled it: then
 *   no upstream call) → fetch → commit (fill-commit.ts) → release.
 *
 * A range the provider cannot serve is OUT_OF_PROVIDER_RANGE (after the servable part is stored);
 * a failed refresh of stored, still-revisable bars is served stale unless the caller is strict.
 */
export class GapFiller {
  readonly #ctx: CacheContext;
  readonly #loader: ResidentLoader;
  readonly #committer: FillCommitter;
  readonly #stale: StaleRefreshes;
  /** Called after a fill with the series that must not be evicted (disk budget). */
  readonly #afterFill: (inUse: Set<string>) => Promise<void>;

  constructor(
    ctx: CacheContext,
    parts: { loader: ResidentLoader; committer: FillCommitter; stale: StaleRefreshes },
    afterFill: (inUse: Set<string>) => Promise<void>,
  ) {
    this.#ctx = ctx;
    this.#loader = parts.loader;
    this.#committer = parts.committer;
    this.#stale = parts.stale;
    this.#afterFill = afterFill;
  }

  /** The fetch plan for `want` against what the ledger serves fresh at `now` (plus `alsoCovered`). */
  plan(meta: SeriesMeta, want: TimeRange, now: number, alsoCovered: readonly TimeRange[] = []): FetchPlan {
    const limits = this.#ctx.upstream.limits;
    return planFetches({
      interval: meta.interval,
      want,
      covered: [...freshCoverage(meta.ledger, now, this.#ctx.provisionalTtlMs), ...alsoCovered],
      now,
      ...(limits ? { limits } : {}),
    });
  }

  /**
   * Fetches what `want` lacks and commits it. A fill whose lease was lost (a shared dir changed
   * leader and another process filled the series meanwhile: the store refuses the commit with
   * LEASE_LOST) is planned again from the store's meta.
   */
  async fill(key: SeriesKey, want: TimeRange, options: FillOptions = {}): Promise<FillResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#fillOnce(key, want, options);
      } catch (err) {
        if (!isBarcacheError(err, ErrorCode.LEASE_LOST) || attempt >= MAX_LEASE_LOST_RETRIES) throw err;
      }
    }
  }

  async #fillOnce(key: SeriesKey, want: TimeRange, options: FillOptions): Promise<FillResult> {
    const { store, catalog, upstream } = this.#ctx;
    const id = seriesId(key);
    const signal = options.signal;
    const lease = await store.lease(id, signal ? { signal } : {});
    let result: FillResult;
    try {
      // The store is the truth: another process may have committed this series since we looked.
      const { meta, changedBlocks } = await catalog.reread(key);
      this.#loader.forgetBlocks(key, changedBlocks);
      const now = this.#ctx.now();
      assertServed(key, want, meta, now, upstream.limits);
      const stale = options.strict ? undefined : this.#stale.active(id, now);
      const plan = this.plan(meta, want, now, stale?.ranges);
      const unreachable = this.#unreachable(meta, plan);
      if (plan.requests.length === 0) {
        if (unreachable.length > 0) throw this.#outOfRange(key, meta, unreachable, now);
        return staleResult(0, stale, want);
      }
      if (this.#ctx.offline) {
        throw new BarcacheError(
          ErrorCode.OFFLINE_MISS,
          `offline: ${key.symbol} ${key.interval} is not cached for ${plan.gaps.map(formatTimeRange).join(', ')}`,
          { details: { symbol: key.symbol, interval: key.interval, missing: plan.gaps } },
        );
      }
      const answer = await upstream.fetch({ key, ranges: plan.requests, ...(signal ? { signal } : {}) });
      // Keep what did arrive even when part of the plan failed: nothing fetched is thrown away.
      const committed = answer.pieces.length > 0 ? await this.#committer.commit(key, answer.pieces) : meta;
      // An upstream link must answer or fail every range it was asked: a range it dropped silently
      // would leave bars missing with no error.
      const accounted = unionRanges(answer.pieces.map((p) => p.range), answer.failures.map((f) => f.range));
      const unanswered = subtractRanges(unionRanges([], plan.requests), accounted);
      if (unanswered.length > 0) {
        throw new BarcacheError(
          ErrorCode.PROVIDER_FAILED,
          `upstream ${upstream.name} left ${key.symbol} ${key.interval} ${unanswered.map(formatTimeRange).join(', ')} unanswered`,
          { details: { symbol: key.symbol, interval: key.interval, missing: unanswered } },
        );
      }
      result = { providerCalls: answer.providerCalls, filled: answer.pieces.length > 0 };
      if (answer.failures.length > 0) {
        result.stale = this.#serveStale(key, meta, want, answer.failures, options, now);
      } else if (stale === undefined) {
        this.#stale.refreshed(id);
      } else {
        Object.assign(result, staleResult(answer.providerCalls, stale, want));
      }
      assertServed(key, want, committed, now, upstream.limits);
      if (unreachable.length > 0) throw this.#outOfRange(key, committed, unreachable, now);
    } finally {
      await lease.release();
    }
    await this.#afterFill(new Set([id]));
    return result;
  }

  /**
   * Stale if error: when every failed range (inside `want`) was fetched before (stored bars, only
   * past their TTL), they are served as they are and retried after the TTL. Otherwise the failure
   * is the answer. ABORTED always is.
   */
  #serveStale(key: SeriesKey, meta: SeriesMeta, want: TimeRange, failures: readonly UpstreamFailure[], options: FillOptions, now: number): StaleRefresh {
    const error = failures[0]!.error;
    const failed = intersectRanges(
      failures.map((f) => f.range),
      [want],
    );
    const stored = ledgerCovered(meta.ledger);
    const staleable = !options.strict && !isBarcacheError(error, ErrorCode.ABORTED) && failed.every((r) => coversRange(stored, r));
    if (!staleable) throw error;
    const info = isBarcacheError(error)
      ? { code: error.code, message: error.message }
      : { code: ErrorCode.PROVIDER_FAILED, message: (error as Error)?.message ?? String(error) };
    this.#ctx.counters.refreshFailures++;
    this.#stale.record(seriesId(key), failed, info, now + this.#ctx.provisionalTtlMs);
    return { ranges: failed, error: info, retryAt: now + this.#ctx.provisionalTtlMs };
  }

  /** The plan's unreachable parts (older than the provider's window) after the symbol's first trade. */
  #unreachable(meta: SeriesMeta, plan: FetchPlan): TimeRange[] {
    if (plan.unreachable.length === 0) return [];
    const firstTrade = factsOf(meta).firstTradeTime;
    return firstTrade === undefined ? plan.unreachable : subtractRanges(plan.unreachable, [{ start: -Infinity, end: firstTrade }]);
  }

  #outOfRange(key: SeriesKey, meta: SeriesMeta, unreachable: TimeRange[], now: number): BarcacheError {
    const served = servedSpan(key.interval, now, this.#ctx.upstream.limits, factsOf(meta).firstTradeTime);
    return outOfProviderRange(key, unreachable, served);
  }
}

function staleResult(providerCalls: number, stale: StaleRefresh | undefined, want: TimeRange): FillResult {
  const ranges = stale === undefined ? [] : intersectRanges(stale.ranges, [want]);
  return ranges.length === 0 || stale === undefined ? { providerCalls } : { providerCalls, stale: { ...stale, ranges } };
}
