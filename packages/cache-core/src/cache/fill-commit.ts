import { BarColumns } from '../bar-columns.js';
import { blockEndOf } from '../planning/block-layout.js';
import { mergeBlocks, touchedBlocks } from '../planning/block-merge.js';
import { dropFromLedger, recordFetch, type Ledger } from '../planning/coverage-ledger.js';
import { finalBefore } from '../planning/finality.js';
import { commitHoles } from '../planning/hole-commit.js';
import { dropFetchEpochs, planSplitRebase, recordFetchEpoch } from '../planning/split-basis.js';
import type { SeriesKey } from '../series-key.js';
import type { SeriesMeta } from '../tiers/disk/bar-store.js';
import type { UpstreamPiece } from '../tiers/upstream-tier.js';
import type { CacheContext } from './cache-context.js';
import type { ResidentLoader } from './resident-loader.js';
import { factsOf, type FactfulMeta } from './series-facts.js';

/**
 * Commits what the upstream chain answered: merges the pieces into the stored blocks (re-basing
 * stored bars for newly reported splits), records each piece in the ledger with its own fetch time
 * (finality and the TTL are judged from it), keeps the provider's holes provisional, and patches
 * L1 — blocks and meta in one atomic batch.
 */
export class FillCommitter {
  readonly #ctx: CacheContext;
  readonly #loader: ResidentLoader;

  constructor(ctx: CacheContext, loader: ResidentLoader) {
    this.#ctx = ctx;
    this.#loader = loader;
  }

  async commit(key: SeriesKey, pieces: readonly UpstreamPiece[]): Promise<SeriesMeta> {
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
      ledger = recordFetch(ledger, p.range, p.finalBefore ?? finalBefore(interval, p.fetchedAt, this.#ctx.settleDelayMs), p.fetchedAt);
      epochs = recordFetchEpoch(epochs, p.range, p.fetchedAt);
    }
    const withHoles = commitHoles(factsOf(meta).holes ?? [], ledger, interval, pieces, put);
    const holes = withHoles.holes;
    ledger = withHoles.ledger;
    const timezone = pieces.find((p) => p.timezone)?.timezone ?? meta.timezone;
    const firstTrade = pieces.find((p) => p.firstTradeTime !== undefined)?.firstTradeTime ?? factsOf(meta).firstTradeTime;
    const next: FactfulMeta = {
      ...meta,
      ledger,
      splits: rebase.absorbed,
      fetchEpochs: epochs,
      lastFetchedAt: Math.max(...pieces.map((p) => p.fetchedAt)),
      lastAccessAt: now,
      ...(timezone ? { timezone } : {}),
      ...(firstTrade !== undefined ? { firstTradeTime: firstTrade } : {}),
    };
    if (holes.length > 0) next.holes = holes;
    else delete next.holes;
    const committed = await catalog.commit({ meta: next, put, del });
    counters.corruptBlocks += corrupt.length;
    this.#loader.patch(key, [...touched], put, now);
    return committed;
  }
}
