/**
 * One price file (CSV text) → one validated, ascending series of bars. Pure: the text comes in,
 * bars or an INVALID_FILE error (file and line) come out. Parsing is csv-parse's (quoting, BOM,
 * CRLF, ragged rows); this file decides what the cells mean.
 */
import { csvParser } from './csv-parser.js';
import { assertInterval, DAY_MS, intervalStepMs, isDailyOrLonger } from '../../intervals.js';
import type { Bar, Interval } from '../../types.js';
import { invalidFile } from './invalid-file.js';
import { columnsFromHeader, positionalColumns, type PriceColumns } from './price-columns.js';
import { parseCellTime, type CellTime } from './price-time.js';

export interface PriceFileOptions {
  /** The interval of the bars; default: '1d' for dates, else inferred from the spacing of times. */
  interval?: Interval;
  /** IANA zone of date-times written without one (intraday broker exports). Default UTC. */
  tz?: string;
}

export interface PriceSeries {
  /** The file it came from (as given, for messages). */
  file: string;
  /** From the file's ticker column, if it has one. */
  ticker?: string;
  interval: Interval;
  /** Ascending, unique times. */
  bars: Bar[];
  /** Rows whose prices were all `null` (Yahoo writes those for days without a trade), skipped. */
  skippedRows: number;
}

const DELIMITERS = [',', ';', '\t', '|'] as const;

/** The delimiter of the first line: the candidate that occurs most often (comma on a tie). */
function sniffDelimiter(text: string): string {
  const first = text.slice(0, text.search(/\r?\n|$/));
  let best: string = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = first.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

interface Row {
  cells: string[];
  line: number;
}

function readRows(text: string, file: string): Row[] {
  const { CsvError, parse } = csvParser();
  try {
    const records = parse(text, {
      delimiter: sniffDelimiter(text),
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_quotes: false,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map((r) => ({ cells: r.record, line: r.info.lines }));
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as { lines?: number }).lines;
      throw invalidFile(file, line, err.message.replace(/^Invalid Record Length: /, 'wrong number of columns: '), { csvCode: err.code });
    }
    throw err;
  }
}

const NULL = /^(null|nan|n\/a|-)?$/i;

function num(row: Row, index: number | undefined, column: string, file: string): number {
  if (index === undefined) return 0;
  const cell = row.cells[index] ?? '';
  const value = cell.trim() === '' ? Number.NaN : Number(cell);
  if (!Number.isFinite(value)) throw invalidFile(file, row.line, `bad number in column ${column}: ${JSON.stringify(cell)}`, { column });
  return value;
}

/** The interval whose step is closest to the most common gap between bars. */
function inferInterval(times: readonly number[]): Interval {
  const gaps = new Map<number, number>();
  for (let i = 1; i < times.length; i++) {
    const g = times[i]! - times[i - 1]!;
    gaps.set(g, (gaps.get(g) ?? 0) + 1);
  }
  let common = 60_000;
  let best = 0;
  for (const [g, n] of gaps) if (n > best || (n === best && g < common)) [common, best] = [g, n];
  const candidates: Interval[] = ['1m', '2m', '5m', '15m', '30m', '1h', '90m'];
  return candidates.reduce((a, b) => (Math.abs(intervalStepMs(b) - common) < Math.abs(intervalStepMs(a) - common) ? b : a));
}

/** Parses and validates one file's text. Throws INVALID_FILE (file, line) on the first problem. */
export function parsePriceFile(text: string, file: string, options: PriceFileOptions = {}): PriceSeries {
  const rows = readRows(text, file);
  if (rows.length === 0) throw invalidFile(file, undefined, 'the file is empty');
  const head = rows[0]!;
  let columns: PriceColumns;
  let body: Row[];
  const firstIsData = typeof parseCellTime(head.cells[0] ?? '', undefined, undefined) !== 'string';
  if (firstIsData) {
    const positional = positionalColumns(head.cells.length);
    if (!positional) {
      throw invalidFile(file, head.line, `no header row, and ${head.cells.length} columns: add a header (Date,Open,High,Low,Close,Volume) or use time,open,high,low,close[,volume]`);
    }
    columns = positional;
    body = rows;
  } else {
    const found = columnsFromHeader(head.cells);
    if (!found.ok) {
      throw invalidFile(file, head.line, `missing column ${found.missing.join(', ')} (the header has: ${head.cells.join(', ')})`, { missing: found.missing });
    }
    columns = found.columns;
    body = rows.slice(1);
  }
  if (body.length === 0) throw invalidFile(file, head.line, 'no rows of prices after the header');

  let ticker: string | undefined;
  let skippedRows = 0;
  const parsed: { bar: Bar; line: number; cell: CellTime }[] = [];
  for (const row of body) {
    const timeCell = row.cells[columns.time] ?? '';
    const when = parseCellTime(timeCell, columns.timeOfDay !== undefined ? row.cells[columns.timeOfDay] : undefined, options.tz);
    if (typeof when === 'string') throw invalidFile(file, row.line, `bad time: ${when}`, { column: 'time' });
    const priceCells = [columns.open, columns.high, columns.low, columns.close].map((i) => row.cells[i] ?? '');
    if (priceCells.every((c) => NULL.test(c.trim()) && c.trim() !== '')) {
      skippedRows++;
      continue;
    }
    const bar: Bar = {
      time: when.time,
      open: num(row, columns.open, 'open', file),
      high: num(row, columns.high, 'high', file),
      low: num(row, columns.low, 'low', file),
      close: num(row, columns.close, 'close', file),
      volume: num(row, columns.volume, 'volume', file),
    };
    if (columns.adjClose !== undefined) bar.adjClose = num(row, columns.adjClose, 'adj close', file);
    if (bar.high < bar.low) throw invalidFile(file, row.line, `high ${bar.high} is below low ${bar.low}`);
    if (bar.volume < 0) throw invalidFile(file, row.line, `negative volume ${bar.volume}`, { column: 'volume' });
    if (columns.ticker !== undefined) {
      const t = (row.cells[columns.ticker] ?? '').trim();
      if (ticker === undefined) ticker = t;
      else if (t !== ticker) throw invalidFile(file, row.line, `a second ticker ${JSON.stringify(t)} in a file of ${JSON.stringify(ticker)}: one symbol per file`);
    }
    parsed.push({ bar, line: row.line, cell: when });
  }
  if (parsed.length === 0) throw invalidFile(file, undefined, 'no prices: every row is empty (null)');

  checkZones(parsed, file);
  const ordered = checkOrder(parsed, file);
  const dateOnly = ordered[0]!.cell.dateOnly || ordered.every((p) => !p.cell.zoned && p.bar.time % DAY_MS === 0);
  let interval: Interval;
  if (options.interval !== undefined) {
    interval = assertInterval(options.interval);
    if (dateOnly && !isDailyOrLonger(interval)) {
      throw invalidFile(file, ordered[0]!.line, `the file holds dates, not ${interval} bars: import it as 1d (or 1wk, 1mo…)`);
    }
  } else {
    interval = dateOnly ? '1d' : inferInterval(ordered.map((p) => p.bar.time));
  }
  return { file, ...(ticker ? { ticker } : {}), interval, bars: ordered.map((p) => p.bar), skippedRows };
}

/** Every row states its zone, or none does: a file that mixes the two is ambiguous. */
function checkZones(parsed: readonly { line: number; cell: CellTime }[], file: string): void {
  const first = parsed[0]!;
  for (const p of parsed) {
    if (p.cell.dateOnly !== first.cell.dateOnly) {
      throw invalidFile(file, p.line, `mixed dates and date-times (line ${first.line} is ${first.cell.dateOnly ? 'a date' : 'a date-time'}, this one is not)`);
    }
    if (p.cell.zoned !== first.cell.zoned) {
      throw invalidFile(
        file,
        p.line,
        `mixed time zones: this time ${p.cell.zoned ? 'states' : 'does not state'} its zone, line ${first.line}'s ${first.cell.zoned ? 'does' : 'does not'} (write every time with its offset, or none and pass --tz)`,
      );
    }
  }
}

/**
 * Times must be strictly ascending (a file that is strictly descending, newest first as some
 * brokers export, is reversed). A repeated time is a duplicate; a step the wrong way is unsorted.
 */
function checkOrder<T extends { bar: Bar; line: number }>(parsed: T[], file: string): T[] {
  let direction = 0;
  for (let i = 1; i < parsed.length; i++) {
    const prev = parsed[i - 1]!;
    const cur = parsed[i]!;
    if (cur.bar.time === prev.bar.time) {
      throw invalidFile(file, cur.line, `duplicate time ${new Date(cur.bar.time).toISOString()} (also on line ${prev.line})`, { otherLine: prev.line });
    }
    const step = cur.bar.time > prev.bar.time ? 1 : -1;
    if (direction === 0) direction = step;
    else if (step !== direction) {
      throw invalidFile(
        file,
        cur.line,
        `not sorted by time: ${new Date(cur.bar.time).toISOString()} comes after ${new Date(prev.bar.time).toISOString()} on line ${prev.line}`,
        { otherLine: prev.line },
      );
    }
  }
  return direction < 0 ? [...parsed].reverse() : parsed;
}
