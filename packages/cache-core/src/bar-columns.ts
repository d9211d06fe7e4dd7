import type { Bar, TimeRange } from './types.js';
import { adjacentSpan } from './column-views.js';
import { gallopUpperBound } from './tiers/memory/window-search.js';

/** The columns a BarColumns is made of. All arrays have the same length; `time` is strictly ascending. */
export interface BarColumnsInit {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** Present only when some bar has an adjusted close. A bar without one holds NaN here. */
  adjClose?: Float64Array | undefined;
}

const EMPTY_F64 = new Float64Array(0);

/**
 * A slice of one series held as columnar typed arrays: what L1 keeps and what a block decodes to.
 * Times are strictly ascending (no duplicates). Instances are treated as immutable: methods that
 * "change" bars return a new instance, and `view()` shares memory with its source.
 *
 * `adjClose` exists only if at least one bar had an adjusted close; a bar without one (in a mixed
 * slice) holds NaN and is returned without the `adjClose` property.
 */
export class BarColumns {
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly adjClose: Float64Array | undefined;

  /**
   * Wraps the given arrays without copying. The caller promises `time` is strictly ascending;
   * unequal column lengths throw a TypeError.
   */
  constructor(init: BarColumnsInit) {
    const n = init.time.length;
    if (
      init.open.length !== n ||
      init.high.length !== n ||
      init.low.length !== n ||
      init.close.length !== n ||
      init.volume.length !== n ||
      (init.adjClose !== undefined && init.adjClose.length !== n)
    ) {
      throw new TypeError('BarColumns: all columns must have the same length');
    }
    this.length = n;
    this.time = init.time;
    this.open = init.open;
    this.high = init.high;
    this.low = init.low;
    this.close = init.close;
    this.volume = init.volume;
    this.adjClose = init.adjClose;
  }

  static empty(): BarColumns {
    return EMPTY;
  }

  /**
   * Allocates `n` bars of columns backed by one buffer (used by decoders and merges): `region`
   * when given and of exactly the size needed (zeroed: a load's prepared memory, see
   * tiers/memory/prefaulted-buffers.ts), else a fresh zeroed ArrayBuffer.
   */
  static allocate(n: number, withAdjClose: boolean, region?: Uint8Array): BarColumns {
    const cols = withAdjClose ? 7 : 6;
    const bytes = n * 8 * cols;
    const fits = region !== undefined && region.byteLength === bytes && region.byteOffset % 8 === 0;
    const buf = fits ? region.buffer : new ArrayBuffer(bytes);
    const base = fits ? region.byteOffset : 0;
    const col = (i: number) => new Float64Array(buf, base + i * n * 8, n);
    return new BarColumns({
      time: col(0),
      open: col(1),
      high: col(2),
      low: col(3),
      close: col(4),
      volume: col(5),
      adjClose: withAdjClose ? col(6) : undefined,
    });
  }

  /** Sorts by time; of bars with equal times the LAST given wins. The input is not modified. */
  static fromBars(bars: readonly Bar[]): BarColumns {
    const n = bars.length;
    if (n === 0) return EMPTY;
    let sorted = true;
    let hasAdj = false;
    let prev = -Infinity;
    for (let i = 0; i < n; i++) {
      const b = bars[i]!;
      if (!(b.time > prev)) sorted = false;
      prev = b.time;
      if (b.adjClose !== undefined) hasAdj = true;
    }
    let order: number[] | undefined;
    let count = n;
    if (!sorted) {
      order = Array.from({ length: n }, (_, i) => i);
      order.sort((a, b) => bars[a]!.time - bars[b]!.time || a - b);
      // Keep the last of each run of equal times.
      let w = 0;
      for (let r = 0; r < n; r++) {
        const idx = order[r]!;
        const next = order[r + 1];
        if (next !== undefined && bars[next]!.time === bars[idx]!.time) continue;
        order[w++] = idx;
      }
      count = w;
    }
    const out = BarColumns.allocate(count, hasAdj);
    const { time, open, high, low, close, volume, adjClose } = out;
    for (let i = 0; i < count; i++) {
      const b = bars[order === undefined ? i : order[i]!]!;
      time[i] = b.time;
      open[i] = b.open;
      high[i] = b.high;
      low[i] = b.low;
      close[i] = b.close;
      volume[i] = b.volume;
      if (adjClose !== undefined) adjClose[i] = b.adjClose ?? NaN;
    }
    return out;
  }

  /**
   * Joins slices that are each sorted and together non-overlapping and in order
   * (the last time of one part is before the first time of the next). Parts that are adjacent
   * views of one allocation (as `decodeBlocksShared` returns a series' blocks) are joined as one
   * view, without copying; otherwise copies.
   */
  static concat(parts: readonly BarColumns[]): BarColumns {
    const nonEmpty = parts.filter((p) => p.length > 0);
    if (nonEmpty.length === 0) return EMPTY;
    if (nonEmpty.length === 1) return nonEmpty[0]!;
    const joined = adjacentSpan(nonEmpty);
    if (joined !== undefined) return new BarColumns(joined);
    let n = 0;
    let hasAdj = false;
    let prevLast = -Infinity;
    for (const p of nonEmpty) {
      if (!(p.time[0]! > prevLast)) throw new TypeError('BarColumns.concat: parts overlap or are out of order');
      prevLast = p.time[p.length - 1]!;
      n += p.length;
      if (p.adjClose !== undefined) hasAdj = true;
    }
    const out = BarColumns.allocate(n, hasAdj);
    let at = 0;
    for (const p of nonEmpty) {
      out.time.set(p.time, at);
      out.open.set(p.open, at);
      out.high.set(p.high, at);
      out.low.set(p.low, at);
      out.close.set(p.close, at);
      out.volume.set(p.volume, at);
      if (out.adjClose !== undefined) {
        if (p.adjClose !== undefined) out.adjClose.set(p.adjClose, at);
        else out.adjClose.fill(NaN, at, at + p.length);
      }
      at += p.length;
    }
    return out;
  }

  /** The union by time of two slices; where both have a bar at the same time, `incoming` wins. */
  static merge(base: BarColumns, incoming: BarColumns): BarColumns {
    if (incoming.length === 0) return base;
    if (base.length === 0) return incoming;
    const bFirst = base.time[0]!;
    const bLast = base.time[base.length - 1]!;
    const iFirst = incoming.time[0]!;
    const iLast = incoming.time[incoming.length - 1]!;
    if (bLast < iFirst) return BarColumns.concat([base, incoming]);
    if (iLast < bFirst) return BarColumns.concat([incoming, base]);
    // Base bars before and after incoming's span are kept whole; only the middle needs a merge.
    const lo = base.lowerBound(iFirst);
    const hi = base.upperBound(iLast);
    let inside = 0; // base bars inside incoming's span whose time incoming lacks
    for (let i = lo, j = 0; i < hi; i++) {
      const t = base.time[i]!;
      while (j < incoming.length && incoming.time[j]! < t) j++;
      if (incoming.time[j] !== t) inside++;
    }
    if (inside === 0) return BarColumns.concat([base.view(0, lo), incoming, base.view(hi, base.length)]);
    const n = lo + inside + incoming.length + (base.length - hi);
    const out = BarColumns.allocate(n, base.adjClose !== undefined || incoming.adjClose !== undefined);
    let w = 0;
    const copy = (src: BarColumns, i: number) => {
      out.time[w] = src.time[i]!;
      out.open[w] = src.open[i]!;
      out.high[w] = src.high[i]!;
      out.low[w] = src.low[i]!;
      out.close[w] = src.close[i]!;
      out.volume[w] = src.volume[i]!;
      if (out.adjClose !== undefined) out.adjClose[w] = src.adjClose === undefined ? NaN : src.adjClose[i]!;
      w++;
    };
    for (let i = 0; i < lo; i++) copy(base, i);
    let i = lo;
    let j = 0;
    while (i < hi || j < incoming.length) {
      if (j >= incoming.length || (i < hi && base.time[i]! < incoming.time[j]!)) {
        copy(base, i++);
      } else {
        if (i < hi && base.time[i] === incoming.time[j]) i++;
        copy(incoming, j++);
      }
    }
    for (let k = hi; k < base.length; k++) copy(base, k);
    return out;
  }

  /** Bytes held by the typed arrays (the L1 size of this slice). Views count their own extent. */
  get byteLength(): number {
    return this.length * 8 * (this.adjClose === undefined ? 6 : 7);
  }

  /** First index whose time is >= t (`length` if none). */
  lowerBound(t: number): number {
    const time = this.time;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (time[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose time is > t (`length` if none). */
  upperBound(t: number): number {
    const time = this.time;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (time[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * First index >= `from` whose time is > t (`length` if none), found by galloping from `from`:
   * O(log d) for an answer d bars on, so a short window costs a few steps, not a full search.
   * Requires `from` <= the answer (every time before `from` is <= t), as a lowerBound of a start
   * <= t gives.
   */
  upperBoundFrom(t: number, from: number): number {
    return gallopUpperBound(this.time, this.length, t, from);
  }

  /** The bars with start <= time <= endInclusive, as fresh plain objects. The lookback hot path. */
  sliceBars(start: number, endInclusive: number): Bar[] {
    return this.toBars(this.lowerBound(start), this.upperBound(endInclusive));
  }

  /** Bars [from, to) by index, as fresh plain objects (`adjClose` only when the column exists). */
  toBars(from = 0, to: number = this.length): Bar[] {
    const out: Bar[] = [];
    const { time, open, high, low, close, volume, adjClose } = this;
    if (adjClose === undefined) {
      for (let i = from; i < to; i++) {
        out.push({ time: time[i]!, open: open[i]!, high: high[i]!, low: low[i]!, close: close[i]!, volume: volume[i]! });
      }
    } else {
      for (let i = from; i < to; i++) {
        const a = adjClose[i]!;
        if (a === a) {
          out.push({
            time: time[i]!,
            open: open[i]!,
            high: high[i]!,
            low: low[i]!,
            close: close[i]!,
            volume: volume[i]!,
            adjClose: a,
          });
        } else {
          out.push({ time: time[i]!, open: open[i]!, high: high[i]!, low: low[i]!, close: close[i]!, volume: volume[i]! });
        }
      }
    }
    return out;
  }

  /** Bars [fromIdx, toIdx) by index as subarray views: no copy, shares memory with this slice. */
  view(fromIdx: number, toIdx: number): BarColumns {
    const from = Math.max(0, Math.min(fromIdx, this.length));
    const to = Math.max(from, Math.min(toIdx, this.length));
    if (from === 0 && to === this.length) return this;
    if (from === to) return EMPTY;
    return new BarColumns({
      time: this.time.subarray(from, to),
      open: this.open.subarray(from, to),
      high: this.high.subarray(from, to),
      low: this.low.subarray(from, to),
      close: this.close.subarray(from, to),
      volume: this.volume.subarray(from, to),
      adjClose: this.adjClose?.subarray(from, to),
    });
  }

  /** The bars with range.start <= time < range.end (a view). */
  filterRange(range: TimeRange): BarColumns {
    return this.view(this.lowerBound(range.start), this.lowerBound(range.end));
  }

  /** The bars outside [range.start, range.end). */
  without(range: TimeRange): BarColumns {
    const lo = this.lowerBound(range.start);
    const hi = Math.max(lo, this.lowerBound(range.end));
    if (lo === hi) return this;
    return BarColumns.concat([this.view(0, lo), this.view(hi, this.length)]);
  }

  /**
   * Split re-basing: a copy where bars with time < before have open/high/low/close multiplied by
   * `factor` (adjClose too: Yahoo's is split-adjusted) and volume divided by it.
   */
  scalePrices(factor: number, before: number): BarColumns {
    if (!Number.isFinite(factor) || factor <= 0) throw new TypeError(`scalePrices: bad factor ${factor}`);
    const out = this.copy();
    const end = this.lowerBound(before);
    for (let i = 0; i < end; i++) {
      out.open[i] = out.open[i]! * factor;
      out.high[i] = out.high[i]! * factor;
      out.low[i] = out.low[i]! * factor;
      out.close[i] = out.close[i]! * factor;
      out.volume[i] = out.volume[i]! / factor;
      // Yahoo's adjClose is split-adjusted too: it moves with the prices.
      if (out.adjClose !== undefined) out.adjClose[i] = out.adjClose[i]! * factor;
    }
    return out;
  }

  /** The same bars without the adjClose column (a view: shares memory). */
  withoutAdjClose(): BarColumns {
    if (this.adjClose === undefined) return this;
    const { time, open, high, low, close, volume } = this;
    return new BarColumns({ time, open, high, low, close, volume });
  }

  /** A copy with its own memory (drops the reference a view keeps to its source's buffer). */
  copy(): BarColumns {
    const out = BarColumns.allocate(this.length, this.adjClose !== undefined);
    out.time.set(this.time);
    out.open.set(this.open);
    out.high.set(this.high);
    out.low.set(this.low);
    out.close.set(this.close);
    out.volume.set(this.volume);
    if (out.adjClose !== undefined) out.adjClose.set(this.adjClose!);
    return out;
  }

  /** First and last bar time, or undefined when empty. */
  get first(): number | undefined {
    return this.length === 0 ? undefined : this.time[0];
  }

  get last(): number | undefined {
    return this.length === 0 ? undefined : this.time[this.length - 1];
  }
}

const EMPTY = new BarColumns({
  time: EMPTY_F64,
  open: EMPTY_F64,
  high: EMPTY_F64,
  low: EMPTY_F64,
  close: EMPTY_F64,
  volume: EMPTY_F64,
});
