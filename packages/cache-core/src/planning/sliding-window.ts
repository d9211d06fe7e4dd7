import { invalidArgument } from '../errors.js';
import type { Interval, TimeRange } from '../types.js';
import { blocksOverlapping, minBlockMs } from './block-layout.js';
import { intersectRanges } from './ranges.js';

/**
 * The pure policy for series too large to hold whole (years of minute bars): keep the L2 blocks
 * of `[cursor − lookback, cursor + ahead]` resident, load the ones ahead of the cursor before the
 * backtest reaches them, drop the ones behind the lookback. Memory stays bounded by
 * {@link maxResidentBlocks} whatever the backtest's length.
 *
 * Usage: a session holding a set of resident block starts calls `planWindow(spec, resident)` each
 * time the cursor moves (cheap: a few blocks), awaits `urgent`, starts loading the rest of `load`
 * in the background, and releases `drop`.
 */
export interface WindowSpec {
  interval: Interval;
  /** The time the backtest is at (the latest bar it may read), epoch ms. */
  cursor: number;
  /** How much history behind the cursor the backtest reads, ms (e.g. from lookback-span). >= 0. */
  lookbackMs: number;
  /** How far ahead of the cursor to have resident, ms. >= 0. */
  aheadMs: number;
  /** The session's whole range `[start − lookback, end]`: blocks outside it are never kept. Default: unbounded. */
  range?: TimeRange;
}

export interface WindowRanges {
  /** `[cursor − lookbackMs, cursor + 1)`: must be resident before bars at the cursor are served. */
  required: TimeRange;
  /** `[cursor + 1, cursor + aheadMs + 1)`: should be resident soon. */
  ahead: TimeRange;
}

export interface WindowBlocks {
  /** Block starts overlapping `required`, ascending. */
  required: number[];
  /** Block starts overlapping `ahead` and not in `required`, ascending. */
  ahead: number[];
  /** `required ∪ ahead`, ascending: everything to hold resident. */
  keep: number[];
}

export interface WindowPlan extends WindowBlocks {
  /** Blocks of `keep` not resident, ascending. The `urgent` ones form its prefix (ahead blocks all lie after the cursor's block). */
  load: number[];
  /** `required − resident`: await these before serving the cursor. A prefix of `load`. */
  urgent: number[];
  /** Resident blocks not in `keep` (behind the lookback, or ahead of a cursor that moved back): release these. */
  drop: number[];
}

function check(spec: WindowSpec): void {
  if (!Number.isFinite(spec.cursor)) throw invalidArgument(`cursor must be finite epoch ms, got ${spec.cursor}`);
  if (!(spec.lookbackMs >= 0) || !Number.isFinite(spec.lookbackMs)) {
    throw invalidArgument(`lookbackMs must be a finite number >= 0, got ${spec.lookbackMs}`);
  }
  if (!(spec.aheadMs >= 0) || !Number.isFinite(spec.aheadMs)) {
    throw invalidArgument(`aheadMs must be a finite number >= 0, got ${spec.aheadMs}`);
  }
}

function clip(r: TimeRange, bound: TimeRange | undefined): TimeRange {
  if (!bound) return r;
  return intersectRanges([r], [bound])[0] ?? { start: r.start, end: r.start };
}

/** The time ranges of the window (clipped to `spec.range`; possibly empty). */
export function windowRanges(spec: WindowSpec): WindowRanges {
  check(spec);
  const { cursor, lookbackMs, aheadMs, range } = spec;
  return {
    required: clip({ start: cursor - lookbackMs, end: cursor + 1 }, range),
    ahead: clip({ start: cursor + 1, end: cursor + aheadMs + 1 }, range),
  };
}

/** The block starts the window needs resident. */
export function windowBlocks(spec: WindowSpec): WindowBlocks {
  const ranges = windowRanges(spec);
  const required = blocksOverlapping(spec.interval, ranges.required);
  const req = new Set(required);
  const ahead = blocksOverlapping(spec.interval, ranges.ahead).filter((s) => !req.has(s));
  const keep = [...required, ...ahead].sort((a, b) => a - b);
  return { required, ahead, keep };
}

/** Given the resident block starts, what to load (urgent first) and what to drop for this cursor. */
export function planWindow(spec: WindowSpec, resident: Iterable<number>): WindowPlan {
  const blocks = windowBlocks(spec);
  const have = new Set(resident);
  const keep = new Set(blocks.keep);
  const urgent = blocks.required.filter((s) => !have.has(s));
  const load = [...urgent, ...blocks.ahead.filter((s) => !have.has(s))];
  const drop = [...have].filter((s) => !keep.has(s)).sort((a, b) => a - b);
  return { ...blocks, load, urgent, drop };
}

/**
 * An upper bound on `keep.length` for any cursor: how many blocks a windowed series can hold at
 * once. Use it to decide whether a series fits the memory budget whole or needs a window.
 */
export function maxResidentBlocks(interval: Interval, lookbackMs: number, aheadMs: number): number {
  return Math.ceil((lookbackMs + aheadMs + 1) / minBlockMs(interval)) + 1;
}
