import { invalidArgument } from '../errors.js';
import { alignDown, isDailyOrLonger, nextBarStart } from '../intervals.js';
import type { Interval, ProviderLimits, TimeRange } from '../types.js';
import { blockStartOf, maxBlockMs, widenToBlocks } from './block-layout.js';
import { DAILY_TZ_LEAD_MS } from './finality.js';
import { clipRanges, normalizeRanges, subtractRanges } from './ranges.js';

export interface PlanInput {
  interval: Interval;
  /** What the caller needs, half-open [start, end). Finite bounds. */
  want: TimeRange;
  /** Coverage usable now (coverage-ledger `freshCoverage`): never refetched, except to bridge a small hole (rule 4). */
  covered: readonly TimeRange[];
  /** Epoch ms. */
  now: number;
  /** The provider's limits; a missing interval entry (or a missing `limits`) means no limit. */
  limits?: Pick<ProviderLimits, 'maxSpanMs' | 'maxAgeMs'>;
  /**
   * Two requests whose hole is at most this many ms are merged into one, re-fetching the hole.
   * Default: one block of the interval ({@link maxBlockMs}: a day for 1m, 31 days for 60m…).
   * 0 merges only touching requests.
   */
  mergeHoleMs?: number;
}

export interface FetchPlan {
  /** want − covered, after clamping `want.end` to {@link latestBarEnd}. Includes unreachable parts. */
  gaps: TimeRange[];
  /** Provider requests, ascending, none longer than `maxSpanMs`, none older than the `maxAgeMs` cut-off. */
  requests: TimeRange[];
  /** The parts of `gaps` older than the provider serves (`now − maxAgeMs`): they can never be fetched. */
  unreachable: TimeRange[];
}

/**
 * The end of the latest bar slot that may exist at `now` (nothing later exists yet):
 * - intraday: the end of the slot containing `now` (`nextBarStart(interval, now)`);
 * - daily and longer: the end of the slot containing `now + 14 h`, because those bars are stamped
 *   with the exchange-LOCAL date and a local date can run up to 14 h ahead of UTC (Asia-Pacific),
 *   so e.g. at 14:00 UTC on 1 Oct a bar stamped 2 Oct may already be forming.
 */
export function latestBarEnd(interval: Interval, now: number): number {
  return nextBarStart(interval, isDailyOrLonger(interval) ? now + DAILY_TZ_LEAD_MS : now);
}

/**
 * The earliest time the provider serves for the interval at `now` (`now − maxAgeMs`, rounded UP to
 * a bar edge so a request never starts a few ms outside the window), or -Infinity without a limit.
 */
export function reachableFrom(interval: Interval, now: number, limits?: Pick<ProviderLimits, 'maxAgeMs'>): number {
  const maxAge = limits?.maxAgeMs[interval];
  if (maxAge === undefined || maxAge === Infinity) return -Infinity;
  const cutoff = now - maxAge;
  const down = alignDown(interval, cutoff);
  return down === cutoff ? cutoff : nextBarStart(interval, cutoff);
}

/**
 * Plans the provider calls that fill `want`. Pure and deterministic. The rules, in order:
 *
 * 1. **Clamp to now.** `want.end` is clamped to {@link latestBarEnd}(interval, now): the future holds
 *    no bars, so it is never a gap (daily-and-longer keep a 14 h lead for local dates east of UTC).
 * 2. **Gaps.** `gaps = clampedWant − covered`. A weekend or holiday inside a covered range is covered.
 * 3. **Reachability.** The part of `gaps` before {@link reachableFrom} (`now − maxAgeMs[interval]`,
 *    rounded up to a bar edge) is reported in `unreachable` (and stays in `gaps`); only the rest is
 *    planned.
 * 4. **Widen.** Each reachable gap is widened to L2 block boundaries (block-layout), clamped to
 *    [cut-off, rule 1's end), and `covered` is subtracted again: widening never re-requests covered
 *    data. Widening only grows a gap through uncovered time next to it: a block's uncovered piece
 *    that covered data separates from the gap is not requested.
 * 5. **Merge.** Requests whose hole is ≤ `mergeHoleMs` (default one block) become one request that
 *    re-fetches the hole: fewer provider calls matter more than a few extra bars. A merge is skipped
 *    when, after rule 6, it would not save a call (two full 7-day 1m requests stay two, not three).
 * 6. **Split.** Each request longer than `maxSpanMs[interval]` is split from its start into chunks of
 *    at most that span, each chunk end snapped down to a block boundary when that still leaves a
 *    non-empty chunk (so chunks line up with blocks).
 *
 * Guarantees (property-tested): requests ∪ covered ⊇ gaps ∩ reachable; requests ∩ covered lies only
 * in merged holes (empty when `mergeHoleMs` is 0); no request exceeds `maxSpanMs`, starts before the
 * reachable cut-off or ends after `latestBarEnd`.
 *
 * @throws BarcacheError INVALID_ARGUMENT on non-finite `want`/`now`, a negative `mergeHoleMs` or a
 *   non-positive `maxSpanMs`.
 */
export function planFetches(input: PlanInput): FetchPlan {
  const { interval, want, covered, now, limits } = input;
  if (!Number.isFinite(want.start) || !Number.isFinite(want.end)) {
    throw invalidArgument(`want must have finite bounds, got [${want.start}, ${want.end})`, { want });
  }
  if (!Number.isFinite(now)) throw invalidArgument(`now must be finite epoch ms, got ${now}`, { now });
  const mergeHoleMs = input.mergeHoleMs ?? maxBlockMs(interval);
  if (!(mergeHoleMs >= 0)) throw invalidArgument(`mergeHoleMs must be >= 0, got ${mergeHoleMs}`, { mergeHoleMs });
  const maxSpan = limits?.maxSpanMs[interval] ?? Infinity;
  if (!(maxSpan > 0)) throw invalidArgument(`maxSpanMs[${interval}] must be > 0, got ${maxSpan}`, { maxSpan });

  // 1. Clamp to now.
  const end = latestBarEnd(interval, now);
  const clamped: TimeRange = { start: want.start, end: Math.min(want.end, end) };
  if (!(clamped.start < clamped.end)) return { gaps: [], requests: [], unreachable: [] };

  // 2. Gaps.
  const cov = normalizeRanges(covered);
  const gaps = subtractRanges([clamped], cov);
  if (gaps.length === 0) return { gaps, requests: [], unreachable: [] };

  // 3. Reachability: the part of the gaps before the cut-off can never be fetched.
  const from = reachableFrom(interval, now, limits);
  const unreachable = clipRanges(gaps, { start: -Infinity, end: from });
  const reachable = clipRanges(gaps, { start: from, end: Infinity });

  // 4. Widen to blocks, clamp to [from, end), subtract covered; keep only the piece that holds
  //    the gap (a piece cut off from it by covered data is no gap of anyone's).
  const pieces: TimeRange[] = [];
  for (const g of reachable) {
    const w = widenToBlocks(interval, g);
    const parts = subtractRanges([{ start: Math.max(w.start, from), end: Math.min(w.end, end) }], cov);
    const holder = parts.find((p) => p.start <= g.start && g.end <= p.end);
    if (holder) pieces.push(holder);
  }
  let requests = normalizeRanges(pieces);

  // 5. Merge across small holes, when that saves a call.
  requests = mergeHoles(requests, mergeHoleMs, (r) => callsFor(interval, r, maxSpan));

  // 6. Split by max span.
  if (maxSpan !== Infinity) requests = requests.flatMap((r) => splitBySpan(interval, r, maxSpan));

  return { gaps, requests, unreachable };
}

/** Plans several series at once (one provider call covers one symbol, so plans stay per series). */
export function planMany<T extends PlanInput>(inputs: readonly T[]): { input: T; plan: FetchPlan }[] {
  return inputs.map((input) => ({ input, plan: planFetches(input) }));
}

/**
 * Merges ranges (normalised first) whose hole is at most `hole` ms, left to right. With `cost`
 * (provider calls a range needs), a merge happens only when the merged range costs fewer calls
 * than the two apart.
 */
export function mergeHoles(rs: readonly TimeRange[], hole: number, cost?: (r: TimeRange) => number): TimeRange[] {
  const out: TimeRange[] = [];
  for (const r of normalizeRanges(rs)) {
    const last = out[out.length - 1];
    if (last && r.start - last.end <= hole) {
      const merged = { start: last.start, end: r.end };
      if (!cost || cost(merged) < cost(last) + cost(r)) {
        last.end = r.end;
        continue;
      }
    }
    out.push({ start: r.start, end: r.end });
  }
  return out;
}

function callsFor(interval: Interval, r: TimeRange, maxSpan: number): number {
  return maxSpan === Infinity ? 1 : splitBySpan(interval, r, maxSpan).length;
}

/** Splits `r` into consecutive chunks of at most `maxSpan` ms, chunk ends snapped to blocks where possible. */
export function splitBySpan(interval: Interval, r: TimeRange, maxSpan: number): TimeRange[] {
  const out: TimeRange[] = [];
  let start = r.start;
  while (r.end - start > maxSpan) {
    const limit = start + maxSpan;
    const snapped = blockStartOf(interval, limit);
    const chunkEnd = snapped > start ? snapped : limit;
    out.push({ start, end: chunkEnd });
    start = chunkEnd;
  }
  if (start < r.end) out.push({ start, end: r.end });
  return out;
}
