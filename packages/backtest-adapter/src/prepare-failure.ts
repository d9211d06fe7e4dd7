import { BarcacheError, ErrorCode } from '@barcache/cache-core';
import type { Interval, PrefetchReport } from '@barcache/cache-core';
import { iso } from './validate.js';

/** What was asked of prefetch, for messages: inclusive ms bounds. */
export interface PreparedRange {
  symbols: readonly string[];
  interval: Interval;
  start: number;
  end: number;
}

export interface FailedSymbol {
  symbol: string;
  interval: Interval;
  /** The range that could not be made resident (lookback included), inclusive ms. */
  start: number;
  end: number;
  code: string;
  message: string;
}

/** The failed symbols of a prefetch report, with the range each one needed. Pure. */
export function failedSymbols(report: PrefetchReport, asked: PreparedRange): FailedSymbol[] {
  const failed = new Set(report.failed);
  return report.symbols
    .filter((s) => failed.has(s.symbol) || s.error !== undefined)
    .map((s) => ({
      symbol: s.symbol,
      interval: report.interval,
      start: Number.isFinite(s.start) ? s.start : asked.start,
      end: Number.isFinite(s.end) ? s.end : asked.end,
      code: s.error?.code ?? ErrorCode.PROVIDER_FAILED,
      message: s.error?.message ?? 'failed',
    }));
}

function describe(f: FailedSymbol): string {
  return `${f.symbol} ${f.interval} ${iso(f.start)}..${iso(f.end)} (${f.code}: ${f.message})`;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * The error `prepare` throws when symbols failed: it names each symbol and its range, keeps the
 * first failure's code (PROVIDER_FAILED, UNKNOWN_SYMBOL, RATE_LIMITED…) and lists all of them in
 * `details.failed`. Pure.
 */
export function prepareFailedError(failed: readonly FailedSymbol[], cause?: unknown): BarcacheError {
  const first = failed[0];
  const code = first && KNOWN_CODES.has(first.code) ? (first.code as ErrorCode) : ErrorCode.PROVIDER_FAILED;
  const what = failed.map(describe).join('; ');
  return new BarcacheError(
    code,
    `prepare could not load ${failed.length} symbol(s): ${what}. Bars cached before the failure are kept.`,
    { details: { failed: failed.map((f) => ({ ...f })) }, ...(cause === undefined ? {} : { cause }) },
  );
}

/**
 * An error thrown by prefetch itself (not reported per symbol): re-thrown as a BarcacheError that
 * names the symbols and the range, keeping the original code and the error as `cause`.
 */
export function wrapPrefetchError(err: unknown, asked: PreparedRange): unknown {
  if (!(err instanceof BarcacheError)) return err;
  if (err.code === ErrorCode.INVALID_ARGUMENT || err.code === ErrorCode.CLOSED || err.code === ErrorCode.ABORTED) return err;
  const failed = asked.symbols.map((symbol) => ({
    symbol,
    interval: asked.interval,
    start: asked.start,
    end: asked.end,
    code: err.code,
    message: err.message,
  }));
  return prepareFailedError(failed, err);
}
