import { alignDown, DAY_MS } from '../intervals.js';
import { daysFromMonthIndex, monthIndexOfDay } from '../utc-calendar.js';
import type { Interval, TimeRange } from '../types.js';

/**
 * The L2 block grid: each series is stored as blocks of bars, one block per calendar unit
 * (all UTC, so daylight saving time never moves a boundary). A bar belongs to the block holding
 * its `time`; a block's key is its start. The planner widens fetches to these boundaries.
 *
 * | interval                | block                                  |
 * |-------------------------|----------------------------------------|
 * | 1m                      | one UTC day                            |
 * | 2m, 5m, 15m, 30m        | one ISO week (Monday 00:00 UTC)        |
 * | 60m, 90m, 1h            | one UTC calendar month                 |
 * | 1d, 5d, 1wk             | one UTC calendar year                  |
 * | 1mo, 3mo                | a decade (starting in a year ÷ 10)     |
 */
export type BlockUnit = 'day' | 'week' | 'month' | 'year' | 'decade';

const UNIT: Record<Interval, BlockUnit> = {
  '1m': 'day',
  '2m': 'week',
  '5m': 'week',
  '15m': 'week',
  '30m': 'week',
  '60m': 'month',
  '90m': 'month',
  '1h': 'month',
  '1d': 'year',
  '5d': 'year',
  '1wk': 'year',
  '1mo': 'decade',
  '3mo': 'decade',
};

/** Longest and shortest length of each unit, ms. */
const MAX_LEN: Record<BlockUnit, number> = {
  day: DAY_MS,
  week: 7 * DAY_MS,
  month: 31 * DAY_MS,
  year: 366 * DAY_MS,
  decade: 3653 * DAY_MS,
};
const MIN_LEN: Record<BlockUnit, number> = {
  day: DAY_MS,
  week: 7 * DAY_MS,
  month: 28 * DAY_MS,
  year: 365 * DAY_MS,
  decade: 3652 * DAY_MS,
};

export function blockUnit(interval: Interval): BlockUnit {
  return UNIT[interval];
}

/** The longest block of the interval, ms (e.g. 31 days for months). The planner's default merge hole. */
export function maxBlockMs(interval: Interval): number {
  return MAX_LEN[UNIT[interval]];
}

/** The shortest block of the interval, ms (e.g. 28 days for months). Bounds resident block counts. */
export function minBlockMs(interval: Interval): number {
  return MIN_LEN[UNIT[interval]];
}

/** The range of a `Date` (±10^8 days): outside it, as with `Date`, a boundary is NaN. */
const MAX_TIME = 8.64e15;

/** Epoch ms of the first day of month index `mi` (year × 12 + month − 1); NaN beyond a `Date`'s range. */
function monthStartMs(mi: number): number {
  const t = daysFromMonthIndex(mi) * DAY_MS;
  return Math.abs(t) <= MAX_TIME ? t : NaN;
}

/** The month index (year × 12 + month − 1) holding `t`; NaN when `t` is not a valid time. */
function monthIndexOf(t: number): number {
  return Math.abs(t) <= MAX_TIME ? monthIndexOfDay(Math.floor(t / DAY_MS)) : NaN;
}

/** The first month index of the block holding month index `mi`. */
function blockFirstMonth(unit: 'month' | 'year' | 'decade', mi: number): number {
  if (unit === 'month') return mi;
  const year = Math.floor(mi / 12);
  return (unit === 'year' ? year : Math.floor(year / 10) * 10) * 12;
}

/** Months in a block of the unit. */
const BLOCK_MONTHS = { month: 1, year: 12, decade: 120 } as const;

/** The start of the block holding `t`. */
export function blockStartOf(interval: Interval, t: number): number {
  const unit = UNIT[interval];
  switch (unit) {
    case 'day':
      return Math.floor(t / DAY_MS) * DAY_MS;
    case 'week':
      return alignDown('1wk', t);
    default:
      return monthStartMs(blockFirstMonth(unit, monthIndexOf(t)));
  }
}

/** The end (exclusive) of the block holding `t`: the next block's start. */
export function blockEndOf(interval: Interval, t: number): number {
  const unit = UNIT[interval];
  switch (unit) {
    case 'day':
      return Math.floor(t / DAY_MS) * DAY_MS + DAY_MS;
    case 'week':
      return alignDown('1wk', t) + 7 * DAY_MS;
    default: {
      const first = blockFirstMonth(unit, monthIndexOf(t));
      // As with `Date`: a block whose start is out of range has no end either.
      return Number.isNaN(monthStartMs(first)) ? NaN : monthStartMs(first + BLOCK_MONTHS[unit]);
    }
  }
}

/** True when `t` is a block boundary of the interval. */
export function isBlockStart(interval: Interval, t: number): boolean {
  return blockStartOf(interval, t) === t;
}

function assertFinite(range: TimeRange, fn: string): void {
  if (!Number.isFinite(range.start) || !Number.isFinite(range.end)) {
    throw new RangeError(`${fn}: range bounds must be finite, got [${range.start}, ${range.end})`);
  }
}

/**
 * The starts of the blocks that overlap the half-open `range`, ascending. An empty range
 * overlaps none. Throws RangeError on non-finite bounds.
 */
export function blocksOverlapping(interval: Interval, range: TimeRange): number[] {
  if (!(range.start < range.end)) return [];
  assertFinite(range, 'blocksOverlapping');
  const out: number[] = [];
  for (let s = blockStartOf(interval, range.start); s < range.end; s = blockEndOf(interval, s)) out.push(s);
  return out;
}

/**
 * The ranges of the blocks starting at `starts` (ascending block starts), blocks that follow each
 * other merged into one range: what `normalizeRanges` would make of the blocks' ranges.
 * `consecutive`: the caller knows each block follows the one before (`blocksOverlapping` lists
 * them so), and the answer is one range, with no block's end worked out but the last's.
 */
export function blockSpans(interval: Interval, starts: readonly number[], consecutive = false): TimeRange[] {
  if (consecutive && starts.length > 0) return [{ start: starts[0]!, end: blockEndOf(interval, starts[starts.length - 1]!) }];
  const out: TimeRange[] = [];
  let i = 0;
  while (i < starts.length) {
    const start = starts[i]!;
    let end = blockEndOf(interval, start);
    // The next start continues the run when it is this block's end (the next block's start).
    while (i + 1 < starts.length && starts[i + 1] === end) end = blockEndOf(interval, starts[++i]!);
    out.push({ start, end });
    i++;
  }
  return out;
}

/**
 * The smallest block-aligned range holding `range`: start down to its block's start, end up to
 * a block boundary (an end already on a boundary stays). An empty range is returned unchanged.
 */
export function widenToBlocks(interval: Interval, range: TimeRange): TimeRange {
  if (!(range.start < range.end)) return { start: range.start, end: range.end };
  assertFinite(range, 'widenToBlocks');
  const start = blockStartOf(interval, range.start);
  const end = isBlockStart(interval, range.end) ? range.end : blockEndOf(interval, range.end);
  return { start, end };
}
