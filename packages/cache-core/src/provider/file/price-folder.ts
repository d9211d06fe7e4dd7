/**
 * Finding and reading price files: a file, or every `.csv`/`.txt`/`.tsv` in a folder (not its
 * subfolders). Each file is one series; its symbol is `--symbol`, else the file's ticker column,
 * else the file name (`AAPL.csv`, `aapl.us.txt` → AAPL.US, `MSFT_5m.csv` → MSFT at 5m).
 * Everything is read and validated before anything is returned: one bad file fails the lot.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BarcacheError, ErrorCode, invalidArgument } from '../../errors.js';
import { isInterval } from '../../intervals.js';
import { normalizeSymbol } from '../../time-input.js';
import type { Interval } from '../../types.js';
import { invalidFile } from './invalid-file.js';
import { loadCsvParser } from './csv-parser.js';
import { parsePriceFile, type PriceFileOptions, type PriceSeries } from './price-file.js';

export const PRICE_FILE_EXTENSIONS = ['.csv', '.txt', '.tsv'] as const;

export interface ReadPriceFilesOptions extends PriceFileOptions {
  /** The symbol of the one file (not allowed with a folder of several). */
  symbol?: string;
}

export interface SymbolSeries extends PriceSeries {
  symbol: string;
}

/** The files a path names: itself, or the price files in the folder, sorted by name. */
export async function listPriceFiles(target: string): Promise<string[]> {
  let info;
  try {
    info = await stat(target);
  } catch (err) {
    throw new BarcacheError(ErrorCode.INVALID_ARGUMENT, `no such file or folder: ${target}`, { cause: err, details: { path: target } });
  }
  if (info.isFile()) return [target];
  const names = (await readdir(target)).filter((n) => PRICE_FILE_EXTENSIONS.some((e) => n.toLowerCase().endsWith(e))).sort();
  if (names.length === 0) throw invalidArgument(`no price files (${PRICE_FILE_EXTENSIONS.join(' ')}) in ${target}`, { path: target });
  return names.map((n) => path.join(target, n));
}

/** 'aapl.us.txt' → { symbol: 'AAPL.US' }, 'MSFT_5m.csv' → { symbol: 'MSFT', interval: '5m' }. */
export function symbolFromFileName(file: string): { symbol?: string; interval?: Interval } {
  const ext = PRICE_FILE_EXTENSIONS.find((e) => file.toLowerCase().endsWith(e)) ?? path.extname(file);
  let stem = path.basename(file).slice(0, path.basename(file).length - ext.length);
  let interval: Interval | undefined;
  const m = /^(.+)[_ ]([0-9]+(?:m|h|d|wk|mo))$/i.exec(stem);
  if (m && isInterval(m[2]!.toLowerCase())) {
    stem = m[1]!;
    interval = m[2]!.toLowerCase() as Interval;
  }
  try {
    return { symbol: normalizeSymbol(stem), ...(interval ? { interval } : {}) };
  } catch {
    return interval ? { interval } : {};
  }
}

/** Reads, parses and validates every file `target` names. Throws on the first problem. */
export async function readPriceFiles(target: string, options: ReadPriceFilesOptions = {}): Promise<SymbolSeries[]> {
  const files = await listPriceFiles(target);
  if (options.symbol !== undefined && files.length > 1) {
    throw invalidArgument(`--symbol names one series, but ${target} holds ${files.length} price files: name each file after its symbol instead`, {
      field: 'symbol',
    });
  }
  await loadCsvParser();
  const out: SymbolSeries[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const fromName = symbolFromFileName(file);
    const text = await readFile(file, 'utf8');
    const interval = options.interval ?? fromName.interval;
    const series = parsePriceFile(text, file, { ...options, ...(interval ? { interval } : {}) });
    const raw = options.symbol ?? series.ticker ?? fromName.symbol;
    if (raw === undefined) throw invalidFile(file, undefined, 'cannot tell the symbol from the file name: pass --symbol');
    let symbol: string;
    try {
      symbol = normalizeSymbol(raw);
    } catch {
      throw invalidFile(file, undefined, `${JSON.stringify(raw)} is not a symbol: pass --symbol`);
    }
    const key = `${symbol} ${series.interval}`;
    const other = seen.get(key);
    if (other !== undefined) throw invalidFile(file, undefined, `${symbol} ${series.interval} is also in ${other}: one file per series`);
    seen.set(key, file);
    out.push({ ...series, symbol });
  }
  return out;
}
