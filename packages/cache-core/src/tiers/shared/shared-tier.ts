/**
 * The shared team tier: a link of the tier chain between the local disk tier and the provider
 * (memory → disk → shared → provider), on Redis. What the local ledger lacks is first looked up
 * here; what Redis lacks is fetched by one worker of the fleet under the series' lease, published,
 * and read by the others. Redis is a helper, never a single point of failure: any Redis fault
 * makes this link pass the request straight to the next one, counted and reported once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { BarColumns } from '../../bar-columns.js';
import { BarcacheError, ErrorCode } from '../../errors.js';
import { blockEndOf, blocksOverlapping } from '../../planning/block-layout.js';
import { mergeBlocks, touchedBlocks } from '../../planning/block-merge.js';
import { dropFromLedger, freshCoverage, recordFetch } from '../../planning/coverage-ledger.js';
import { finalBefore } from '../../planning/finality.js';
import { commitHoles } from '../../planning/hole-commit.js';
import { coversRange, intersectRanges } from '../../planning/ranges.js';
import { dropFetchEpochs, planSplitRebase, recordFetchEpoch } from '../../planning/split-basis.js';
import { seriesId, type SeriesKey } from '../../series-key.js';
import type { TimeRange } from '../../types.js';
import type { BlockInfo } from '../disk/bar-store.js';
import { encodeBlock } from '../disk/bar-block-codec.js';
import type { UpstreamAnswer, UpstreamPiece, UpstreamRequest, UpstreamTier } from '../upstream-tier.js';
import { RedisSeriesStore, SharedTierFault } from './redis-series-store.js';
import { SharedTierCounters, type SharedTierStats } from './shared-counters.js';
import { emptySharedMeta, type SharedSeriesMeta } from './shared-meta.js';
import { piecesFromLedger } from './served-pieces.js';
import type { ResolvedSharedOptions, SharedFault } from './shared-options.js';

export interface SharedTierParts {
  next: UpstreamTier;
  options: ResolvedSharedOptions;
  now: () => number;
  /** How long a provisional range is served before it is refetched (the cache's own TTL). */
  provisionalTtlMs: number;
  settleDelayMs: number;
  /** Told once each time the tier goes from working to failing (the CLI and the extension say so). */
  onFault?: (fault: SharedFault) => void;
}

const POLL_MS = 50;
const MAX_POLL_MS = 250;

export class SharedTier implements UpstreamTier {
  readonly name = 'shared';
  readonly counters = new SharedTierCounters();
  readonly #next: UpstreamTier;
  readonly #redis: RedisSeriesStore;
  readonly #o: SharedTierParts;

  constructor(parts: SharedTierParts) {
    this.#next = parts.next;
    this.#o = parts;
    this.#redis = new RedisSeriesStore(parts.options);
  }

  get provider(): string {
    return this.#next.provider;
  }

  get limits() {
    return this.#next.limits;
  }

  /** Where the tier points, without credentials. */
  get location(): string {
    return this.#redis.describe;
  }

  async fetch(request: UpstreamRequest): Promise<UpstreamAnswer> {
    const id = seriesId(request.key);
    const served: UpstreamPiece[] = [];
    let rest: readonly TimeRange[] = request.ranges;
    let token: number | undefined;
    try {
      rest = await this.#serveFromRedis(request.key, id, rest, served);
      if (rest.length === 0) return { pieces: served, failures: [], providerCalls: 0 };
      token = await this.#leaseOrWait(request, id, () => rest, (r) => (rest = r), served);
      if (rest.length === 0) {
        if (token !== undefined) await this.#release(id, token);
        return { pieces: served, failures: [], providerCalls: 0 };
      }
    } catch (err) {
      if (!(err instanceof SharedTierFault)) throw err;
      this.#fault(err);
    }
    this.counters.misses += rest.length;
    const renew = token === undefined ? undefined : setInterval(() => void this.#extend(id, token!), Math.max(50, this.#o.options.leaseTtlMs / 3));
    try {
      const answer = await this.#next.fetch({ ...request, ranges: rest });
      if (token !== undefined && answer.pieces.length > 0 && !(await this.#publish(request.key, id, token, answer.pieces))) {
        // Our lease lapsed (a long pause): if nobody holds it now, take it again and publish.
        const again = await this.#tryLeaseQuietly(id);
        if (again !== undefined) {
          await this.#publish(request.key, id, again, answer.pieces);
          await this.#release(id, again);
        }
      }
      return { pieces: [...served, ...answer.pieces], failures: answer.failures, providerCalls: answer.providerCalls };
    } finally {
      if (renew !== undefined) clearInterval(renew);
      if (token !== undefined) await this.#release(id, token);
    }
  }

  async coverage(key: SeriesKey, ranges: readonly TimeRange[]): Promise<TimeRange[]> {
    try {
      const meta = await this.#redis.readMeta(seriesId(key));
      if (meta === undefined || meta === 'corrupt') return [];
      return intersectRanges(freshCoverage(meta.ledger, this.#o.now(), this.#o.provisionalTtlMs), ranges);
    } catch (err) {
      if (err instanceof SharedTierFault) this.#fault(err);
      return [];
    }
  }

  sharedStats(): SharedTierStats {
    return this.counters.snapshot(this.location);
  }

  /** Asks Redis whether it answers now (one PING); a fault is counted and reported as any other. */
  async checkShared(): Promise<SharedTierStats> {
    try {
      await this.#redis.ping();
      this.counters.recordSuccess();
    } catch (err) {
      if (!(err instanceof SharedTierFault)) throw err;
      this.#fault(err);
    }
    return this.sharedStats();
  }

  async close(): Promise<void> {
    await this.#redis.close();
  }

  /** Serves the ranges Redis holds fresh (appending to `served`); returns the rest. */
  async #serveFromRedis(key: SeriesKey, id: string, ranges: readonly TimeRange[], served: UpstreamPiece[]): Promise<TimeRange[]> {
    const meta = await this.#redis.readMeta(id);
    this.counters.recordSuccess();
    if (meta === 'corrupt') this.counters.corrupt++;
    if (meta === undefined || meta === 'corrupt') return [...ranges];
    const fresh = freshCoverage(meta.ledger, this.#o.now(), this.#o.provisionalTtlMs);
    const have = new Set(meta.blocks.map((b) => b.start));
    const servable = ranges.filter((r) => coversRange(fresh, r));
    const starts = [...new Set(servable.flatMap((r) => blocksOverlapping(key.interval, r)))].filter((b) => have.has(b));
    const read = await this.#redis.readBlocks(id, starts);
    this.counters.bytesRead += read.bytes;
    this.counters.corrupt += read.corrupt.length;
    const damaged = read.corrupt.map((b) => ({ start: b, end: blockEndOf(key.interval, b) }));
    const rest: TimeRange[] = [];
    for (const r of ranges) {
      if (!servable.includes(r) || intersectRanges(damaged, [r]).length > 0) {
        rest.push(r);
        continue;
      }
      const parts = blocksOverlapping(key.interval, r)
        .filter((b) => read.blocks.has(b))
        .map((b) => read.blocks.get(b)!.filterRange(r));
      const bars = BarColumns.concat(parts.filter((p) => p.length > 0));
      served.push(...piecesFromLedger(meta, r, bars));
      this.counters.hits++;
    }
    return rest;
  }

  /**
   * Takes the series' lease, or waits while another worker fills it, serving what it publishes.
   * Returns the token, or undefined when the rest got served meanwhile or the wait ran out (then
   * this worker asks the provider itself and publishes nothing).
   */
  async #leaseOrWait(
    request: UpstreamRequest,
    id: string,
    rest: () => readonly TimeRange[],
    setRest: (r: TimeRange[]) => void,
    served: UpstreamPiece[],
  ): Promise<number | undefined> {
    const deadline = this.#o.now() + this.#o.options.leaseWaitMs;
    let waited = false;
    for (let delay = POLL_MS; ; delay = Math.min(MAX_POLL_MS, delay * 2)) {
      const token = await this.#redis.tryLease(id);
      if (token !== undefined) {
        // Someone may have published between our read and the grant: serve that first.
        setRest(await this.#serveFromRedis(request.key, id, rest(), served));
        return token;
      }
      if (!waited) this.counters.leasesWaited++;
      waited = true;
      if (this.#o.now() >= deadline) {
        this.counters.leaseTimeouts++;
        return undefined;
      }
      await sleep(delay, request.signal);
      setRest(await this.#serveFromRedis(request.key, id, rest(), served));
      if (rest().length === 0) return undefined;
    }
  }

  async #tryLeaseQuietly(id: string): Promise<number | undefined> {
    try {
      return await this.#redis.tryLease(id);
    } catch (err) {
      if (!(err instanceof SharedTierFault)) throw err;
      this.#fault(err);
      return undefined;
    }
  }

  /**
   * Merges the pieces into the series' Redis blocks and publishes them, fenced by `token`. False
   * when the lease had passed on (fenced off); true otherwise (a Redis fault is counted, not thrown).
   */
  async #publish(key: SeriesKey, id: string, token: number, pieces: readonly UpstreamPiece[]): Promise<boolean> {
    try {
      const found = await this.#redis.readMeta(id);
      const base: SharedSeriesMeta = found === undefined || found === 'corrupt' ? emptySharedMeta(id) : found;
      const stored = new Set(base.blocks.map((b) => b.start));
      const rebase = planSplitRebase(base.fetchEpochs, base.splits, pieces.flatMap((p) => p.splits ?? []));
      const touched = touchedBlocks(key.interval, pieces.map((p) => p.range), rebase.rescale, stored);
      const read = await this.#redis.readBlocks(id, [...touched].filter((b) => stored.has(b)));
      let ledger = base.ledger;
      let epochs = rebase.epochs;
      for (const b of read.corrupt) {
        const r = { start: b, end: blockEndOf(key.interval, b) };
        ledger = dropFromLedger(ledger, r);
        epochs = dropFetchEpochs(epochs, r);
        stored.delete(b);
      }
      const incoming = BarColumns.concat(
        [...pieces].sort((a, b) => a.range.start - b.range.start).map((p) => p.bars).filter((b) => b.length > 0),
      );
      const { put, del } = mergeBlocks({ interval: key.interval, stored, current: read.blocks, rescale: rebase.rescale, incoming, touched });
      for (const p of pieces) {
        ledger = recordFetch(ledger, p.range, p.finalBefore ?? finalBefore(key.interval, p.fetchedAt, this.#o.settleDelayMs), p.fetchedAt);
        epochs = recordFetchEpoch(epochs, p.range, p.fetchedAt);
      }
      // Holes as the disk tier records them: counted per answer, their slots provisional until known.
      const withHoles = commitHoles(base.holes ?? [], ledger, key.interval, pieces, put);
      ledger = withHoles.ledger;
      const blocks = new Map<number, BlockInfo>(base.blocks.filter((b) => stored.has(b.start)).map((b) => [b.start, b]));
      for (const b of del) blocks.delete(b);
      const puts = [...put].map(([start, cols]) => {
        const bytes = encodeBlock(cols);
        blocks.set(start, { start, bars: cols.length, bytes: bytes.length, first: cols.time[0]!, last: cols.time[cols.length - 1]! });
        return { start, bytes };
      });
      const timezone = pieces.find((p) => p.timezone)?.timezone ?? base.timezone;
      const next: SharedSeriesMeta = {
        ...base,
        version: base.version + 1,
        ledger,
        splits: rebase.absorbed,
        fetchEpochs: epochs,
        blocks: [...blocks.values()].sort((a, b) => a.start - b.start),
        ...(timezone ? { timezone } : {}),
        holes: withHoles.holes,
        publishedAt: this.#o.now(),
      };
      if (await this.#redis.publish(id, token, next, puts, del)) {
        this.counters.publishes++;
        this.counters.bytesWritten += puts.reduce((n, p) => n + p.bytes.length, 0);
        return true;
      }
      this.counters.fenced++;
      return false;
    } catch (err) {
      if (!(err instanceof SharedTierFault)) throw err;
      this.#fault(err);
      return true;
    }
  }

  async #extend(id: string, token: number): Promise<void> {
    try {
      await this.#redis.extendLease(id, token);
    } catch (err) {
      if (err instanceof SharedTierFault) this.#fault(err);
    }
  }

  async #release(id: string, token: number): Promise<void> {
    try {
      await this.#redis.releaseLease(id, token);
    } catch (err) {
      if (err instanceof SharedTierFault) this.#fault(err);
    }
  }

  #fault(err: SharedTierFault): void {
    const first = this.counters.recordFault(err.message, this.#o.now());
    if (first) this.#o.onFault?.({ location: this.location, message: err.message });
  }
}

/** Waits `ms`; rejects with ABORTED when `signal` aborts (Node's own timer does the waiting). */
async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch {
    throw abortError();
  }
}

function abortError(): BarcacheError {
  return new BarcacheError(ErrorCode.ABORTED, 'cancelled while waiting for another worker to fill the series');
}
