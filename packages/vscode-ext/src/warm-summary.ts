import type { PrefetchReport } from '@barcache/cache-core';
import { formatCount } from './format.js';

export interface WarmSummary {
  severity: 'info' | 'warning' | 'error';
  /** The notification text. */
  message: string;
  /** One line per symbol, for the output channel. */
  lines: string[];
  failed: { symbol: string; message: string }[];
  /** Not started because the warm was cancelled. */
  skipped: string[];
  cancelled: boolean;
}

/** The end-of-warm notification: counts, what was fetched, and every failure by name. */
export function summarizeWarm(report: PrefetchReport, opts: { cancelled?: boolean } = {}): WarmSummary {
  const total = report.symbols.length;
  // Symbols a cancellation stopped before they started are not failures: they were skipped.
  const skipped = report.symbols.filter((s) => s.error?.code === 'ABORTED').map((s) => s.symbol);
  const cancelled = opts.cancelled === true || skipped.length > 0;
  const failed = report.symbols
    .filter((s) => (s.error !== undefined && s.error.code !== 'ABORTED') || (s.error === undefined && report.failed.includes(s.symbol)))
    .map((s) => ({ symbol: s.symbol, message: s.error ? `${s.error.message} [${s.error.code}]` : 'failed' }));
  for (const sym of report.failed) {
    if (!failed.some((f) => f.symbol === sym) && !skipped.includes(sym)) failed.push({ symbol: sym, message: 'failed' });
  }
  const ok = total - failed.length - skipped.length;
  const secs = (report.elapsedMs / 1000).toFixed(1);
  const fetched =
    report.providerCalls === 0
      ? 'everything was already cached (0 provider calls)'
      : `${report.providerCalls} provider ${report.providerCalls === 1 ? 'call' : 'calls'}, ${formatCount(report.barsFetched)} bars fetched`;
  const short = report.symbols.filter((s) => !s.error && !s.lookbackSatisfied).map((s) => s.symbol);
  let message = cancelled
    ? `Barcache: warm cancelled — ${ok} of ${total} ${report.interval} series complete${skipped.length > 0 ? `, ${skipped.length} not started` : ''}; ${fetched} in ${secs} s.`
    : `Barcache: warmed ${ok} of ${total} ${report.interval} series — ${fetched} in ${secs} s.`;
  if (failed.length > 0) {
    message += ` Failed: ${failed
      .slice(0, 5)
      .map((f) => `${f.symbol} (${f.message})`)
      .join('; ')}${failed.length > 5 ? ` and ${failed.length - 5} more` : ''}.`;
  }
  if (short.length > 0) message += ` Short lookback (young listing): ${short.slice(0, 5).join(', ')}.`;
  const lines = report.symbols.map((s) =>
    s.error?.code === 'ABORTED'
      ? `  – ${s.symbol}: not started (cancelled)`
      : s.error
      ? `  ✗ ${s.symbol}: ${s.error.message} [${s.error.code}]`
      : `  ✓ ${s.symbol}: ${s.bars} bars (${s.lookbackBars} lookback${s.lookbackSatisfied ? '' : ', short'}), ${s.providerCalls} provider calls, from ${s.source}${s.windowed ? ', windowed' : ''}`,
  );
  const severity = failed.length === 0 && !cancelled ? 'info' : ok === 0 && !cancelled ? 'error' : 'warning';
  return { severity, message, lines, failed, skipped, cancelled };
}

/** Per-symbol progress text: "AAPL ✓ (3/10)". */
export function progressMessage(e: { symbol: string; done: number; total: number; status: 'ok' | 'failed' }): string {
  return `${e.symbol} ${e.status === 'ok' ? '✓' : '✗'} (${e.done}/${e.total})`;
}
