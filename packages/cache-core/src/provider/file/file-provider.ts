/**
 * A BarProvider over your own price files: a folder of CSVs (Yahoo downloads, Stooq, broker
 * exports) served through the same cache, ledger and prefetch as Yahoo. Its bars are stored under
 * its own name (default 'file'), never 'yahoo', so they never mix with fetched data.
 *
 * The folder is read and validated once, on the first request (one bad file is an INVALID_FILE
 * error naming it and the line); later changes to the files are not seen by a running provider.
 */
import { BarcacheError, ErrorCode } from '../../errors.js';
import { normalizeSymbol } from '../../time-input.js';
import type { Bar, BarProvider, Interval, ProviderRequest, ProviderResult } from '../../types.js';
import { readPriceFiles, type SymbolSeries } from './price-folder.js';

export const DEFAULT_FILE_PROVIDER_NAME = 'file';

export interface FileProviderOptions {
  /** A price file, or a folder of them (one file per symbol and interval). */
  path?: string;
  /** Already parsed series (what `barcache import` validated), instead of `path`. */
  series?: readonly SymbolSeries[];
  /** The provider name the bars are stored under. Default 'file'. Must not be 'yahoo'. */
  name?: string;
  /** The interval of every file (default: 1d for dates, inferred for date-times). */
  interval?: Interval;
  /** IANA zone of date-times written without one. Default UTC. */
  tz?: string;
  /** The symbol of a single file. */
  symbol?: string;
}

export class FileProvider implements BarProvider {
  readonly name: string;
  readonly #options: FileProviderOptions;
  #loading: Promise<Map<string, SymbolSeries>> | undefined;

  constructor(options: FileProviderOptions) {
    if (options.path === undefined && options.series === undefined) throw new TypeError('FileProvider: pass path or series');
    const name = options.name ?? DEFAULT_FILE_PROVIDER_NAME;
    if (!/^[a-z0-9][a-z0-9._+-]{0,63}$/i.test(name)) {
      throw new BarcacheError(ErrorCode.INVALID_ARGUMENT, `provider name ${JSON.stringify(name)}: use letters, digits and . _ + -`, { details: { field: 'provider' } });
    }
    if (/^yahoo([+].*)?$/i.test(name)) {
      throw new BarcacheError(ErrorCode.INVALID_ARGUMENT, `provider name ${JSON.stringify(name)} is Yahoo's: files are stored under a name of their own`, {
        details: { field: 'provider' },
      });
    }
    this.name = name;
    this.#options = options;
    if (options.series) this.#loading = Promise.resolve(index(options.series));
  }

  /** Every series the files hold (reads the folder on first use). */
  async series(): Promise<SymbolSeries[]> {
    return [...(await this.#load()).values()];
  }

  async fetchBars(req: ProviderRequest): Promise<ProviderResult> {
    if (req.signal?.aborted) throw new BarcacheError(ErrorCode.ABORTED, 'aborted', { cause: req.signal.reason });
    const all = await this.#load();
    const symbol = normalizeSymbol(req.symbol);
    const series = all.get(key(symbol, req.interval));
    if (!series) {
      const intervals = [...all.values()].filter((s) => s.symbol === symbol).map((s) => s.interval);
      if (intervals.length > 0) {
        throw new BarcacheError(ErrorCode.UNSUPPORTED_INTERVAL, `${this.name} has ${symbol} at ${intervals.join(', ')}, not ${req.interval}`, {
          details: { provider: this.name, symbol, interval: req.interval, supported: intervals },
        });
      }
      throw new BarcacheError(ErrorCode.UNKNOWN_SYMBOL, `${this.name} has no file for ${symbol}`, { details: { provider: this.name, symbol } });
    }
    return { bars: slice(series.bars, req.start, req.end) };
  }

  #load(): Promise<Map<string, SymbolSeries>> {
    const path = this.#options.path;
    this.#loading ??= readPriceFiles(path!, {
      ...(this.#options.interval ? { interval: this.#options.interval } : {}),
      ...(this.#options.tz ? { tz: this.#options.tz } : {}),
      ...(this.#options.symbol ? { symbol: this.#options.symbol } : {}),
    }).then(index);
    return this.#loading;
  }
}

function key(symbol: string, interval: Interval): string {
  return `${symbol}\u0000${interval}`;
}

function index(series: readonly SymbolSeries[]): Map<string, SymbolSeries> {
  return new Map(series.map((s) => [key(s.symbol, s.interval), s]));
}

/** The bars with start <= time < end (ascending input). */
function slice(bars: readonly Bar[], start: number, end: number): Bar[] {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bars[mid]!.time < start) lo = mid + 1;
    else hi = mid;
  }
  const out: Bar[] = [];
  for (let i = lo; i < bars.length && bars[i]!.time < end; i++) out.push({ ...bars[i]! });
  return out;
}
