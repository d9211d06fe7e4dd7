import { BarColumns } from '../bar-columns.js';
import { BarcacheError, ErrorCode } from '../errors.js';
import { mergeBlocks, touchedBlocks } from '../planning/block-merge.js';
import { blockEndOf } from '../planning/block-layout.js';
import { dropFromLedger, freshCoverage, recordFetch, type Ledger } from '../planning/coverage-ledger.js';
import { finalBefore } from '../planning/finality.js';
import { planFetches, type FetchPlan } from '../planning/gap-planner.js';
import { subtractRanges, unionRanges } from '../planning/ranges.js';
import { dropFetchEpochs, planSplitRebase, recordFetchEpoch } from '../planning/split-basis.js';
import { seriesId, type SeriesKey } from '../series-key.js';
import type { SeriesMeta } from '../tiers/disk/bar-store.js';
import type { UpstreamPiece } from '../tiers/upstream-tier.js';
import { formatTimeRange } from '../time-input.js';
import type { TimeRange } from '../types.js';
import type { CacheContext } from './cache-context.js';
import type { ResidentLoader } from './resident-loader.js';

/**
 * Fills what a series' ledger lacks from the upstream chain (the provider, or a shared tier in
 * front of it) and commits it. The caller holds the series' in-process lock; the filler adds the
 * store's fill lease, so one process at a time fills a series among all that share the store:
 *
 *   lease → re-read the meta from the store → re-plan (another process may have filled it: then
 *   no upstream call) → fetch → merge into blocks and commit with the ledger in one batch → release.
 */
export class GapFiller {
  readonly #ctx: CacheContext;
  readonly #loader: ResidentLoader;
  /** Called after a fill with the series that must not be evicted (disk budget). */
  readonly #afterFill: (inUse: Set<string>) => Promise<void>;

  constructor(ctx: CacheContext, loader: ResidentLoader, afterFill: (inUse: Set<string>) => Promise<void>) {
    this.#ctx = ctx;
    this.#loader = loader;
    this.#afterFill = afterFill;
  }

  /** The fetch plan for `want` against what the ledger serves fresh at `now`. */
  plan(meta: SeriesMeta, want: TimeRange, now: number): FetchPlan {
    const limits = this.#ctx.upstream.limits;
    return planFetches({
      interval: meta.interval,
      want,
      covered: freshCoverage(meta.ledger, now, this.#ctx.provisionalTtlMs),
      now,
      ...(limits ? { limits } : {}),
    });
  }

  /** Fetches what `want` lacks and commits it. Returns the provider calls made. */
  async fill(key: SeriesKey, want: TimeRange, signal?: AbortSignal): Promise<number> {
    const { store, catalog } = this.#ctx;
    const id = seriesId(key);
    const lease = await store.lease(id, signal ? { signal } : {});
    let calls = 0;
    try {
      // The store is the truth: another process may have committed this series since we looked.
      const { meta, changedBlocks } = await catalog.reread(key);
      this.#loader.forgetBlocks(key, changedBlocks);
      const now = this.#ctx.now();
      const plan = this.plan(meta, want, now);
      if (plan.requests.length === 0) {
        if (plan.unreachable.length > 0) throw unreachableError(key, plan.unreachable);
        return 0;
      }
      if (this.#ctx.offline) {
        throw new BarcacheError(
          ErrorCode.OFFLINE_MISS,
          `offline: ${key.symbol} ${key.interval} is not cached for ${plan.gaps.map(formatTimeRange).join(', ')}`,
          { details: { symbol: key.symbol, interval: key.interval, missing: plan.gaps } },
        );
      }
      const answer = await this.#ctx.upstream.fetch({ key, ranges: plan.requests, ...(signal ? { signal } : {}) });
      calls = answer.providerCalls;
      // Keep what did arrive even when part of the plan failed: nothing fetched is thrown away.
      if (answer.pieces.length > 0) await this.#commit(key, answer.pieces);
      const failure = answer.failures[0];
      if (failure !== undefined) throw failure.error;
      // An upstream link must answer or fail every range it was asked: a range it dropped silently
      // would leave bars missing with no error.
      const answered = unionRanges([], answer.pieces.map((p) => p.range));
      const unanswered = subtractRanges(unionRanges([], plan.requests), answered);
      if (unanswered.length > 0) {
        throw new BarcacheError(
          ErrorCode.PROVIDER_FAILED,
          `upstream ${this.#ctx.upstream.name} left ${key.symbol} ${key.interval} ${unanswered.map(formatTimeRange).join(', ')} unanswered`,
          { details: { symbol: key.symbol, interval: key.interval, missing: unanswered } },
        );
      }
      // Gaps older than the provider serves (maxAgeMs) can never be filled: a hole, reported.
      if (plan.unreachable.length > 0) throw unreachableError(key, plan.unreachable);
    } finally {
      await lease.release();
    }
    await this.#afterFill(new Set([id]));
    return calls;
  }

  /**
   * Merges the answered bars into the stored blocks and records the coverage, in one atomic batch.
   * Each piece is recorded with its own fetch time: finality and the TTL are judged from it.
   */
  async #commit(key: SeriesKey, pieces: readonly UpstreamPiece[]): Promise<void> {
    const { catalog, counters } = this.#ctx;
    const now = this.#ctx.now();
    const interval = key.interval;
    const meta = catalog.metaOf(key);
    const stored = new Set(meta.blocks.map((b) => b.start));

    const rebase = planSplitRebase(meta.fetchEpochs ?? [], meta.splits, pieces.flatMap((p) => p.splits ?? []));
    const touched = touchedBlocks(
      interval,
      pieces.map((p) => p.range),
      rebase.rescale,
      stored,
    );
    const { blocks: current, corrupt } = await this.#loader.readBlocksForWrite(key, [...touched].filter((b) => stored.has(b)));
    let ledger: Ledger = meta.ledger;
    let epochs = rebase.epochs;
    for (const b of corrupt) {
      const blockRange = { start: b, end: blockEndOf(interval, b) };
      ledger = dropFromLedger(ledger, blockRange);
      epochs = dropFetchEpochs(epochs, blockRange);
    }

    const incoming = [...pieces]
      .sort((a, b) => a.range.start - b.range.start)
      .reduce((acc, p) => BarColumns.merge(acc, p.bars), BarColumns.empty());
    const { put, del } = mergeBlocks({ interval, stored, current, rescale: rebase.rescale, incoming, touched });

    for (const p of pieces) {
      ledger = recordFetch(ledger, p.range, finalBefore(interval, p.fetchedAt, this.#ctx.settleDelayMs), p.fetchedAt);
      epochs = recordFetchEpoch(epochs, p.range, p.fetchedAt);
    }
    const timezone = pieces.find((p) => p.timezone)?.timezone ?? meta.timezone;
    const lastFetchedAt = Math.max(...pieces.map((p) => p.fetchedAt));
    const next: SeriesMeta = {
      ...meta,
      ledger,
      splits: rebase.absorbed,
      fetchEpochs: epochs,
      lastFetchedAt,
      lastAccessAt: now,
      ...(timezone ? { timezone } : {}),
    };
    await catalog.commit({ meta: next, put, del });
    counters.corruptBlocks += corrupt.length;
    this.#loader.patch(key, [...touched], put, now);
  }
}

function unreachableError(key: SeriesKey, unreachable: readonly TimeRange[]): BarcacheError {
  return new BarcacheError(
    ErrorCode.NO_DATA,
    `${key.symbol} ${key.interval} ${unreachable.map(formatTimeRange).join(', ')} is not cached and older than the provider serves`,
    { details: { symbol: key.symbol, interval: key.interval, missing: [...unreachable] } },
  );
}
