/**
 * Pure argument handling for the CLI: each raw string from commander is checked and normalised
 * here, and bad input becomes a BarcacheError with a stable code (INVALID_ARGUMENT,
 * UNSUPPORTED_INTERVAL) before any cache is opened. No I/O: the clock and env are arguments.
 */
import { invalidArgument } from '../errors.js';
import { assertInterval, DAY_MS, isDailyOrLonger } from '../intervals.js';
import { formatTime, normalizeSymbol, parseTimeInput } from '../time-input.js';
import type { ClearFilter, Interval } from '../types.js';


/** Options every command accepts (commander's raw values). */
export interface RawGlobalOptions {
  dir?: string;
  offline?: boolean;
  quiet?: boolean;
  /** `--no-progress` sets this to false. */
  progress?: boolean;
  lockTimeout?: string;
  /** `--shared <url>`: the URL; `--no-shared`: false. */
  shared?: string | boolean;
}

export interface GlobalOptions {
  dir: string;
  offline: boolean;
  quiet: boolean;
  /** Draw progress bars: asked for, not quiet, and the output is a terminal. */
  progress: boolean;
  lockTimeoutMs?: number;
  /**
   * The team cache (Redis): `--shared <url>`, else $BARCACHE_SHARED_URL; false with `--no-shared`;
   * undefined when neither is given (no shared tier).
   */
  shared?: string | false;
}

/**
 * Resolves the global options. The dir is `--dir`, else $BARCACHE_DIR, else `defaultDir()`.
 * Progress bars need both a TTY on stdout and not `--quiet`/`--no-progress`.
 */
export function resolveGlobalOptions(
  raw: RawGlobalOptions,
  env: Record<string, string | undefined>,
  defaultDir: () => string,
  isTTY: boolean,
): GlobalOptions {
  const dir = nonEmpty(raw.dir) ?? nonEmpty(env['BARCACHE_DIR']) ?? defaultDir();
  const quiet = raw.quiet === true;
  const out: GlobalOptions = {
    dir,
    offline: raw.offline === true || isTruthyEnv(env['BARCACHE_OFFLINE']),
    quiet,
    progress: raw.progress !== false && !quiet && isTTY,
  };
  if (raw.lockTimeout !== undefined) out.lockTimeoutMs = parseNonNegativeInt(raw.lockTimeout, 'lock-timeout');
  const shared = raw.shared === false ? false : typeof raw.shared === 'string' ? nonEmpty(raw.shared) : nonEmpty(env['BARCACHE_SHARED_URL']);
  if (raw.shared === '') throw invalidArgument('--shared needs a URL (redis://host:6379); --no-shared turns the team cache off', { field: 'shared' });
  if (shared !== undefined) out.shared = shared;
  return out;
}

/** Epoch ms on the command line: digits only, at least 9 of them (so 20240101 is never taken for one). */
const EPOCH_MS = /^\s*-?\d{9,}\s*$/;

/**
 * Parses one date option: 'YYYY-MM-DD', an ISO date-time with a zone, or epoch ms
 * (`1704067200000`), naming the option on failure.
 */
export function parseDateOption(value: string, option: string): number {
  if (EPOCH_MS.test(value)) return parseTimeInput(Number(value.trim()), option);
  return parseTimeInput(value, option);
}

/** Midnight UTC of the day containing `now`. */
export function startOfUtcDay(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS;
}

/** The same calendar date `years` earlier (29 Feb → 1 Mar of a common year, as Date.UTC rolls). */
export function yearsBefore(t: number, years: number): number {
  const d = new Date(t);
  return Date.UTC(
    d.getUTCFullYear() - years,
    d.getUTCMonth(),
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

export interface DateRange {
  /** Inclusive bounds, epoch ms. */
  start: number;
  end: number;
}

/** True for 'YYYY-MM-DD' (a whole day) as opposed to a date-time. */
export function isDateOnly(value: string): boolean {
  return /^\s*\d{4}-\d{2}-\d{2}\s*$/.test(value);
}

/**
 * The inclusive end a date option names. A date-time is taken as is. A date is its bar's time for
 * daily and longer intervals (00:00 UTC), and the whole day for intraday ones (23:59:59.999 UTC),
 * so `--to 2024-03-01 --interval 5m` includes that day's bars.
 */
export function endOfDateOption(value: string, option: string, interval: Interval): number {
  const t = parseDateOption(value, option);
  return isDateOnly(value) && !isDailyOrLonger(interval) ? t + DAY_MS - 1 : t;
}

/**
 * `--from`/`--to` with their defaults: `to` is today (UTC), `from` one year before `to`'s day.
 * Both are inclusive; see endOfDateOption for what a date means as `to`. A reversed range is
 * INVALID_ARGUMENT.
 */
export function resolveDateRange(raw: { from?: string; to?: string }, now: number, interval: Interval = '1d'): DateRange {
  const today = startOfUtcDay(now);
  const end =
    raw.to !== undefined
      ? endOfDateOption(raw.to, 'to', interval)
      : isDailyOrLonger(interval)
        ? today
        : today + DAY_MS - 1;
  const start = raw.from !== undefined ? parseDateOption(raw.from, 'from') : yearsBefore(startOfUtcDay(end), 1);
  assertOrdered(start, end, 'from', 'to');
  return { start, end };
}

/** Two explicit dates (explain's positionals), ordered; `to` as in endOfDateOption. */
export function parseExplicitRange(from: string, to: string, interval: Interval = '1d'): DateRange {
  const start = parseDateOption(from, 'from');
  const end = endOfDateOption(to, 'to', interval);
  assertOrdered(start, end, 'from', 'to');
  return { start, end };
}

function assertOrdered(start: number, end: number, startName: string, endName: string): void {
  if (start > end) {
    throw invalidArgument(`reversed range: ${startName} ${formatTime(start)} is after ${endName} ${formatTime(end)}`, {
      start,
      end,
    });
  }
}

/** `--interval`: one of the supported intervals, else UNSUPPORTED_INTERVAL. Default '1d'. */
export function parseIntervalOption(value: string | undefined): Interval {
  if (value === undefined) return '1d';
  return assertInterval(value.trim());
}

/**
 * Ticker arguments: trimmed, upper-cased, validated, de-duplicated in order. Commas split too,
 * so `warm AAPL,MSFT SPY` works. At least one is required.
 */
export function parseSymbols(values: readonly string[]): string[] {
  const parts = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (parts.length === 0) throw invalidArgument('at least one symbol is required', { field: 'symbol' });
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of parts) {
    const s = normalizeSymbol(p);
    if (!seen.has(s)) {
      seen.add(s);
      out.push(s);
    }
  }
  return out;
}

/**
 * `--lookback N` (bars) or `--lookback Nd` (calendar days), or 'Nb' for explicit bars.
 * Returns the `lookback` of a PrefetchPlan.
 */
export function parseLookback(value: string | undefined): { bars?: number; days?: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+)\s*(b|bars?|d|days?)?\s*$/i.exec(value);
  if (!m) {
    throw invalidArgument(`lookback ${JSON.stringify(value)} is not a count: use N (bars) or Nd (calendar days)`, {
      field: 'lookback',
      value,
    });
  }
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n)) throw invalidArgument(`lookback ${value} is too large`, { field: 'lookback', value });
  if (n === 0) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase();
  return unit.startsWith('d') ? { days: n } : { bars: n };
}

export function parseNonNegativeInt(value: string, option: string): number {
  const s = value.trim();
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw invalidArgument(`${option} must be a non-negative whole number, got ${JSON.stringify(value)}`, {
      field: option,
      value,
    });
  }
  return Number(s);
}

/** A positive number of milliseconds (`--timeout`, `--retry-budget`). */
export function parsePositiveMs(value: string, option: string): number {
  const ms = parseNonNegativeInt(value, option);
  if (ms === 0) throw invalidArgument(`${option} must be at least 1 ms, got ${JSON.stringify(value)}`, { field: option, value });
  return ms;
}

export interface RawClearOptions {
  symbol?: string;
  interval?: string;
  before?: string;
  all?: boolean;
}

export type ClearRequest = { kind: 'filtered'; filter: ClearFilter } | { kind: 'all' };

/**
 * What `clear` should do. Without a filter it clears everything only with `--all`; `--all`
 * together with a filter is contradictory. Both are INVALID_ARGUMENT.
 */
export function resolveClearRequest(raw: RawClearOptions): ClearRequest {
  const filter: ClearFilter = {};
  if (raw.symbol !== undefined) filter.symbol = normalizeSymbol(raw.symbol);
  if (raw.interval !== undefined) filter.interval = assertInterval(raw.interval.trim());
  if (raw.before !== undefined) filter.before = parseDateOption(raw.before, 'before');
  const hasFilter = Object.keys(filter).length > 0;
  if (raw.all === true) {
    if (hasFilter) {
      throw invalidArgument('--all clears everything: do not combine it with --symbol, --interval or --before');
    }
    return { kind: 'all' };
  }
  if (!hasFilter) {
    throw invalidArgument(
      'refusing to clear the whole cache: pass --all (with --yes to skip the question), or narrow it with --symbol, --interval or --before',
    );
  }
  return { kind: 'filtered', filter };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s !== undefined && s.trim() !== '' ? s : undefined;
}

function isTruthyEnv(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}
