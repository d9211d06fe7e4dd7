/**
 * Which column of a price file holds what, from its header row. Pure.
 *
 * Layouts read (names are matched case-insensitively, ignoring spaces, `_`, `-`, `.` and `<>`):
 * - Yahoo's CSV download: Date,Open,High,Low,Close,Adj Close,Volume
 * - Stooq: Date,Open,High,Low,Close,Volume (and its raw `<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,…,<VOL>,<OPENINT>`)
 * - a broker export: a time column (Time, Timestamp, Datetime, Date Time…) or Date + Time, and OHLCV
 * A file without a header row is read as time,open,high,low,close[,volume].
 */

export interface PriceColumns {
  /** A date or date-time column. */
  time: number;
  /** A separate time-of-day column (Stooq's `<TIME>`), when the date is alone in `time`. */
  timeOfDay?: number;
  open: number;
  high: number;
  low: number;
  close: number;
  adjClose?: number;
  volume?: number;
  /** A ticker column (Stooq's `<TICKER>`): the file's symbol when --symbol is not given. */
  ticker?: number;
}

const ALIASES: Record<Exclude<keyof PriceColumns, 'timeOfDay'> | 'timeOfDay', readonly string[]> = {
  time: ['date', 'datetime', 'timestamp', 'time', 'datetimeutc', 'dateutc', 'timeutc', 'day', 'bartime', 'opentime'],
  timeOfDay: ['time', 'hour'],
  open: ['open', 'o', 'openprice'],
  high: ['high', 'h', 'highprice'],
  low: ['low', 'l', 'lowprice'],
  close: ['close', 'c', 'closeprice', 'last'],
  adjClose: ['adjclose', 'adjustedclose', 'adjcloseprice'],
  volume: ['volume', 'vol', 'v', 'qty', 'quantity'],
  ticker: ['ticker', 'symbol'],
};

/** The header name as compared: lower case, without spaces, `_`, `-`, `.`, `<`, `>` or `*`. */
export function normalizeHeader(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.<>*"]/g, '');
}

export type ColumnsResult = { ok: true; columns: PriceColumns } | { ok: false; missing: string[] };

/** Maps a header row to columns; `missing` names the required ones not found. */
export function columnsFromHeader(header: readonly string[]): ColumnsResult {
  const names = header.map(normalizeHeader);
  const find = (key: keyof typeof ALIASES, taken: Set<number>): number | undefined => {
    for (const alias of ALIASES[key]) {
      const i = names.findIndex((n, idx) => n === alias && !taken.has(idx));
      if (i >= 0) return i;
    }
    return undefined;
  };
  const taken = new Set<number>();
  const take = (key: keyof typeof ALIASES): number | undefined => {
    const i = find(key, taken);
    if (i !== undefined) taken.add(i);
    return i;
  };
  // Date first (so a Date + Time pair maps Date → time, Time → timeOfDay).
  const dateIdx = names.indexOf('date');
  let time: number | undefined;
  let timeOfDay: number | undefined;
  if (dateIdx >= 0) {
    time = dateIdx;
    taken.add(dateIdx);
    const t = names.findIndex((n, i) => i !== dateIdx && ALIASES.timeOfDay.includes(n));
    if (t >= 0) {
      timeOfDay = t;
      taken.add(t);
    }
  } else {
    time = take('time');
  }
  const open = take('open');
  const high = take('high');
  const low = take('low');
  const adjClose = take('adjClose');
  const close = take('close');
  const volume = take('volume');
  const ticker = take('ticker');
  const missing: string[] = [];
  if (time === undefined) missing.push('date/time');
  if (open === undefined) missing.push('open');
  if (high === undefined) missing.push('high');
  if (low === undefined) missing.push('low');
  if (close === undefined) missing.push('close');
  if (missing.length > 0) return { ok: false, missing };
  return {
    ok: true,
    columns: {
      time: time!,
      open: open!,
      high: high!,
      low: low!,
      close: close!,
      ...(timeOfDay !== undefined ? { timeOfDay } : {}),
      ...(adjClose !== undefined ? { adjClose } : {}),
      ...(volume !== undefined ? { volume } : {}),
      ...(ticker !== undefined ? { ticker } : {}),
    },
  };
}

/** Columns of a file without a header: time,open,high,low,close[,volume]. */
export function positionalColumns(width: number): PriceColumns | undefined {
  if (width === 5) return { time: 0, open: 1, high: 2, low: 3, close: 4 };
  if (width === 6) return { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
  return undefined;
}
