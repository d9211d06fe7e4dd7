/**
 * Warm's progress display: a cli-progress MultiBar with an overall bar and one bar per symbol.
 * `PrefetchPlan.onProgress` fires as each symbol finishes, so a symbol's bar goes from
 * 'waiting' to 'ok' or 'FAILED <CODE>'. When bars are off (not a TTY, --quiet, --no-progress)
 * this is a no-op.
 */
import cliProgress from 'cli-progress';
import type { PrefetchProgress } from '../types.js';

export interface WarmProgress {
  onProgress(event: PrefetchProgress): void;
  stop(): void;
}

const NOOP: WarmProgress = { onProgress: () => undefined, stop: () => undefined };

export function createWarmProgress(symbols: readonly string[], stream: NodeJS.WritableStream | undefined): WarmProgress {
  if (!stream || symbols.length === 0) return NOOP;
  const width = Math.max(6, ...symbols.map((s) => s.length));
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: (options, params, payload: { label: string; status: string }) => {
        const size = options.barsize ?? 24;
        const filled = Math.round(params.progress * size);
        const bar = (options.barCompleteString ?? '█').slice(0, filled) + (options.barIncompleteString ?? '░').slice(0, size - filled);
        return `${payload.label.padEnd(width)} ${bar} ${payload.status}`;
      },
      barCompleteChar: '█',
      barIncompleteChar: '░',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const total = multi.create(symbols.length, 0, { label: 'all', status: `0/${symbols.length}` });
  const bars = new Map(symbols.map((s) => [s, multi.create(1, 0, { label: s, status: 'waiting' })]));
  let done = 0;
  let failed = 0;
  return {
    onProgress(event) {
      const bar = bars.get(event.symbol);
      if (bar) {
        const status = event.status === 'ok' ? 'ok' : `FAILED ${event.error?.code ?? ''}`.trim();
        bar.update(1, { label: event.symbol, status });
      }
      done = Math.max(done + 1, event.done);
      if (event.status === 'failed') failed++;
      total.update(Math.min(done, symbols.length), {
        label: 'all',
        status: `${Math.min(done, symbols.length)}/${symbols.length}${failed ? `, ${failed} failed` : ''}`,
      });
    },
    stop() {
      multi.stop();
    },
  };
}

/**
 * Warm's progress off a terminal (a pipe, a CI log): one line per symbol as it finishes,
 * `[3/20] MSFT ok` or `[4/20] IBM FAILED RATE_LIMITED: …`, so a long warm shows it is alive.
 */
export function createWarmProgressLines(total: number, writeLine: (line: string) => void): WarmProgress {
  let done = 0;
  return {
    onProgress(event) {
      done = Math.max(done + 1, event.done);
      const status = event.status === 'ok' ? 'ok' : `FAILED ${event.error?.code ?? ''}${event.error?.message ? `: ${event.error.message}` : ''}`.trim();
      writeLine(`[${Math.min(done, total)}/${total}] ${event.symbol} ${status}`);
    },
    stop: () => undefined,
  };
}
