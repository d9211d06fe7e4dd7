import type { BarColumns } from '../bar-columns.js';
import type { HoleRecord } from '../planning/known-holes.js';
import type { SeriesKey } from '../series-key.js';
import type { SharedTierStats } from './shared/shared-counters.js';
import type { Dividend, ProviderLimits, Split, TimeRange } from '../types.js';

/**
 * A link of the tier chain behind the disk tier. The chain reads, front to back:
 *
 *     memory tier (tiers/memory) → disk tier (tiers/disk) → [upstream links…] → provider (provider/provider-tier.ts)
 *
 * The disk tier's coverage ledger decides what the local machine lacks; only that is asked of the
 * first upstream link. A link answers what it holds itself and asks the next link for the rest
 * (it is built around `next`); the provider tier is always the last link. A shared team tier
 * (Redis, a colleague's cache) is one new class implementing this interface, placed between the
 * disk tier and the provider tier by `openCache`; the read path never changes.
 *
 * A link hands back whole pieces with the facts the ledger needs: when the bars were fetched from
 * the provider (finality and the provisional TTL are judged from that time, not from when this
 * process received them), the splits they are adjusted for, the exchange time zone and the holes
 * the provider left. The caller records every piece as it is told and does no fetch-time guessing.
 */
export interface UpstreamTier {
  /** Which link this is, for messages and stats (e.g. 'provider:yahoo', 'redis'). */
  readonly name: string;
  /**
   * The name of the provider at the end of the chain: part of every series' identity, so bars of
   * two providers never mix. A link in front of the provider passes its `next.provider` through.
   */
  readonly provider: string;
  /** The provider's limits (passed through by every link): the gap planner splits requests to fit. */
  readonly limits?: ProviderLimits;
  /**
   * Answers `request.ranges` of one series. Should not reject for a failed range: each range either
   * comes back covered by pieces or is listed in `failures` with its error (ABORTED when
   * `request.signal` aborted), so what did arrive is kept. A rejection fails the whole fill.
   */
  fetch(request: UpstreamRequest): Promise<UpstreamAnswer>;
  /** What of `ranges` this link would serve itself, without the provider (for `explain`); never throws. */
  coverage?(key: SeriesKey, ranges: readonly TimeRange[]): Promise<TimeRange[]>;
  /** A shared link's own figures (`stats().shared`); the provider tier has none. */
  sharedStats?(): SharedTierStats;
  /** A shared link asks its store whether it answers now and returns its figures (never throws for a fault). */
  checkShared?(): Promise<SharedTierStats>;
  /** Frees what the link holds (connections); called by `close()` after the disk tier is closed. */
  close?(): Promise<void>;
}

export interface UpstreamRequest {
  readonly key: SeriesKey;
  /** What the local ledger lacks, as planned (ascending, block-aligned, within the provider's limits). */
  readonly ranges: readonly TimeRange[];
  readonly signal?: AbortSignal;
}

/** One answered span of a series: every bar the source has in `range`. */
export interface UpstreamPiece {
  /** Half-open. A range with no bars (a weekend, a holiday) is an answer too: "none exist". */
  readonly range: TimeRange;
  /** The bars with time in `range`, ascending. */
  readonly bars: BarColumns;
  /** When these bars were fetched from the provider, epoch ms (a shared tier keeps the original time). */
  readonly fetchedAt: number;
  /**
   * Bars before this time are final, as the source judged them (a shared tier passes on the
   * publishing worker's ledger, so this cache records the piece exactly as it did). Absent: judged
   * from `fetchedAt` with this cache's settle delay (finality.ts `finalBefore`).
   */
  readonly finalBefore?: number;
  /** Splits the provider reported with these bars (the bars are adjusted for them). */
  readonly splits?: readonly Split[];
  readonly dividends?: readonly Dividend[];
  /** The exchange's IANA time zone, when known. */
  readonly timezone?: string;
  /** Times of bars the provider sent without prices and that were dropped (holes, not "no bar"). */
  readonly droppedTimes?: readonly number[];
  /**
   * The source's hole records inside `range` (a shared tier passes on the publishing worker's, with
   * their ask counts). When present they replace this cache's records inside `range` (an empty list
   * says "no holes here") and `droppedTimes` is not counted as one more ask.
   */
  readonly holes?: readonly HoleRecord[];
  /** How many bars were dropped for null prices (at least `droppedTimes.length`). */
  readonly droppedBars?: number;
  /** The first trading time the provider knows for the symbol, epoch ms. */
  readonly firstTradeTime?: number;
}

export interface UpstreamFailure {
  readonly range: TimeRange;
  /** Usually a BarcacheError (PROVIDER_FAILED, RATE_LIMITED, UNKNOWN_SYMBOL…). */
  readonly error: unknown;
}

export interface UpstreamAnswer {
  readonly pieces: readonly UpstreamPiece[];
  readonly failures: readonly UpstreamFailure[];
  /** How many of the requests reached the provider (0 when an upstream link answered everything). */
  readonly providerCalls: number;
}
