/**
 * A fixed-bucket, log-scale latency histogram for the getBars hot path. `record` is O(1), does
 * not allocate, and costs a multiply, a `Math.clz32` and an array increment.
 *
 * Samples are kept in whole microseconds (sub-µs samples count as 0 µs). Below 16 µs a quantile is
 * right to 1 µs; above, each power of two is split into 16 buckets, so a quantile is within
 * ±3.2 % of the true value (it reports the bucket's midpoint, never more than the observed max). The range ends
 * at 2^32 µs (≈ 71 min); longer samples land in the top bucket (max still exact).
 */

const SUB_BITS = 4;
const SUB = 1 << SUB_BITS; // 16 sub-buckets per power of two
const MAX_US = 0xffff_ffff;
/** Index of the last bucket: exponent 31 → (31 − SUB_BITS + 1) × SUB + (SUB − 1). */
const BUCKETS = (32 - SUB_BITS) * SUB + SUB;

function bucketOf(us: number): number {
  if (us < SUB) return us;
  const e = 31 - Math.clz32(us); // floor(log2(us)), >= SUB_BITS
  return ((e - SUB_BITS + 1) << SUB_BITS) + ((us >>> (e - SUB_BITS)) & (SUB - 1));
}

/** [low, high) in µs of bucket `i`. */
function bucketBounds(i: number): [number, number] {
  if (i < SUB) return [i, i + 1];
  const e = (i >>> SUB_BITS) + SUB_BITS - 1;
  const sub = i & (SUB - 1);
  const width = 2 ** (e - SUB_BITS);
  const low = 2 ** e + sub * width;
  return [low, low + width];
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private n = 0;
  private maxMs = 0;
  private minMs = Infinity;
  private sumMs = 0;

  /**
   * Records one sample in ms, standing for `weight` requests (a sampled hot path records one in
   * `weight`). Negative and NaN samples count as 0.
   */
  record(ms: number, weight = 1): void {
    let us = ms > 0 ? ms * 1000 : 0;
    if (us > MAX_US) us = MAX_US;
    this.counts[bucketOf(us >>> 0)]! += weight;
    this.n += weight;
    if (ms > this.maxMs) this.maxMs = ms;
    if (ms < this.minMs) this.minMs = ms > 0 ? ms : 0;
    if (ms > 0) this.sumMs += ms * weight;
  }

  /** Samples recorded. */
  get count(): number {
    return this.n;
  }

  /** The largest sample, ms (0 when empty). */
  get max(): number {
    return this.maxMs;
  }

  /** The smallest sample, ms (0 when empty). */
  get min(): number {
    return this.n === 0 ? 0 : this.minMs;
  }

  /** The mean, ms (0 when empty). Exact, not bucketed. */
  get mean(): number {
    return this.n === 0 ? 0 : this.sumMs / this.n;
  }

  /**
   * The q-quantile in ms (q in [0, 1]; clamped): the midpoint of the bucket holding the sample of
   * rank ceil(q × count), clamped to [min, max]. 0 when empty. `quantile(1)` is the exact max.
   */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const qq = q > 1 ? 1 : q > 0 ? q : 0;
    if (qq === 1) return this.maxMs;
    const rank = Math.max(1, Math.ceil(qq * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const [low, high] = bucketBounds(i);
        const mid = i < SUB ? low : (low + high) / 2;
        return Math.min(this.maxMs, Math.max(this.min, mid / 1000));
      }
    }
    return this.maxMs;
  }

  /** count, p50, p99 and max, for CacheStats.latency. */
  summary(): LatencySummary {
    return { count: this.n, p50Ms: this.quantile(0.5), p99Ms: this.quantile(0.99), maxMs: this.maxMs };
  }

  /** Adds another histogram's samples into this one. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    if (other.n > 0) {
      this.maxMs = Math.max(this.maxMs, other.maxMs);
      this.minMs = Math.min(this.minMs, other.minMs);
    }
    this.n += other.n;
    this.sumMs += other.sumMs;
  }

  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.maxMs = 0;
    this.minMs = Infinity;
    this.sumMs = 0;
  }
}
