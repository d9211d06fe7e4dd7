/**
 * The TIME_RUNS column mode (block format version 2) for the time column: runs of equal steps.
 * Minute bars inside a session step by one minute hundreds of times in a row, weekly bars by seven
 * days; daily bars step by one *weekday* except at holidays, so with the weekday flag the steps are
 * counted in Monday–Friday days and a year of daily bars is a dozen runs instead of 252 varints.
 *
 * param: bit 0 = weekday steps. Payload:
 *   varint unit (ms; DAY_MS with the weekday flag), zigzag varint first time,
 *   varint run count, then per run: zigzag varint step (in units, or weekdays), varint repeats.
 * The repeats add up to count − 1. Requires integer times below 2^51 in magnitude (as TIME does);
 * with the weekday flag every time is the same time of day on a Monday–Friday UTC date.
 */
import { DAY_MS } from '../../intervals.js';
import { MAX_SCALED, MODE_TIME_RUNS, Reader, varintLength, Writer, zigzag, unzigzag } from './bar-block-format.js';

export const TIME_RUNS_WEEKDAYS = 1;

/** A planned TIME_RUNS column: its descriptor fields and a writer for its payload. */
export interface TimeRunsPlan {
  mode: number;
  param: number;
  length: number;
  write: (w: Writer) => void;
}

/** Monday-based weekday index of UTC day number `d` (day 0 = Thursday 1970-01-01): 0..6. */
function weekday(d: number): number {
  return (((d + 3) % 7) + 7) % 7;
}

/** Weekday number of a Monday–Friday day number: consecutive across weekends. */
function weekdayNumber(d: number): number {
  return Math.floor((d + 3) / 7) * 5 + weekday(d);
}

/** The day number of weekday number `b` (inverse of weekdayNumber). */
function dayOfWeekdayNumber(b: number): number {
  const w = Math.floor(b / 5);
  return w * 7 + (b - w * 5) - 3;
}

/** Run-length encodes integer steps: [step, repeats] pairs. */
function runsOf(steps: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < steps.length; ) {
    let j = i + 1;
    while (j < steps.length && steps[j] === steps[i]) j++;
    out.push(steps[i]!, j - i);
    i = j;
  }
  return out;
}

function plan(t: Float64Array, unit: number, steps: number[], flags: number): TimeRunsPlan {
  const runs = runsOf(steps);
  let length = varintLength(unit) + varintLength(zigzag(t[0]!)) + varintLength(runs.length / 2);
  for (let i = 0; i < runs.length; i += 2) length += varintLength(zigzag(runs[i]!)) + varintLength(runs[i + 1]!);
  return {
    mode: MODE_TIME_RUNS,
    param: flags,
    length,
    write: (w) => {
      w.varint(unit);
      w.varint(zigzag(t[0]!));
      w.varint(runs.length / 2);
      for (let i = 0; i < runs.length; i += 2) {
        w.varint(zigzag(runs[i]!));
        w.varint(runs[i + 1]!);
      }
    },
  };
}

/**
 * The smaller TIME_RUNS plan for a time column (plain or weekday steps), or undefined when the
 * times do not fit the mode. `unit` is the GCD of the steps the TIME mode found (> 0).
 */
export function planTimeRuns(t: Float64Array, unit: number): TimeRunsPlan | undefined {
  const n = t.length;
  if (n === 0) return undefined;
  for (let i = 0; i < n; i++) {
    const v = t[i]!;
    if (!Number.isInteger(v) || Math.abs(v) > MAX_SCALED || (v === 0 && 1 / v < 0)) return undefined;
  }
  const steps: number[] = [];
  for (let i = 1; i < n; i++) steps.push((t[i]! - t[i - 1]!) / unit);
  let best = plan(t, unit, steps, 0);
  // Weekday steps: every time at the same time of day, on a Monday–Friday date.
  const tod = t[0]! - Math.floor(t[0]! / DAY_MS) * DAY_MS;
  const days: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = Math.floor(t[i]! / DAY_MS);
    if (t[i]! - d * DAY_MS !== tod || weekday(d) > 4) return best;
    days.push(weekdayNumber(d));
  }
  const wsteps: number[] = [];
  for (let i = 1; i < n; i++) wsteps.push(days[i]! - days[i - 1]!);
  const weekdays = plan(t, DAY_MS, wsteps, TIME_RUNS_WEEKDAYS);
  if (weekdays.length < best.length) best = weekdays;
  return best;
}

/**
 * Decodes a TIME_RUNS payload of `n` times into `x`. Returns an error message for an inconsistent
 * payload (the caller turns it into CORRUPT_BLOCK), or undefined. Reads at most to `end`.
 */
export function decodeTimeRuns(r: Reader, x: Float64Array, n: number, param: number, end: number): string | undefined {
  if ((param & ~TIME_RUNS_WEEKDAYS) !== 0) return 'bad time-runs parameters';
  if (n === 0) return undefined;
  const weekdays = (param & TIME_RUNS_WEEKDAYS) !== 0;
  const unit = r.varint();
  const first = unzigzag(r.varint());
  const runs = r.varint();
  if (r.pos > end || runs > n) return 'bad time-runs header';
  if (weekdays && unit !== DAY_MS) return 'weekday runs with a unit other than a day';
  x[0] = first;
  let i = 1;
  if (!weekdays) {
    let t = first;
    for (let k = 0; k < runs; k++) {
      const step = unzigzag(r.varint()) * unit;
      const repeats = r.varint();
      if (r.pos > end || repeats > n - i) return 'time runs overrun the block';
      for (let j = 0; j < repeats; j++) x[i++] = t += step;
    }
  } else {
    const d0 = Math.floor(first / DAY_MS);
    const tod = first - d0 * DAY_MS;
    let b = weekdayNumber(d0);
    for (let k = 0; k < runs; k++) {
      const step = unzigzag(r.varint());
      const repeats = r.varint();
      if (r.pos > end || repeats > n - i) return 'time runs overrun the block';
      for (let j = 0; j < repeats; j++) x[i++] = dayOfWeekdayNumber((b += step)) * DAY_MS + tod;
    }
  }
  if (i !== n) return 'time runs do not cover the block';
  return undefined;
}
