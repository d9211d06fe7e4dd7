/**
 * Reading the time cell of a price file. Pure (the zone rules come from the runtime's Intl).
 *
 * A cell is a date ('2024-01-02', '2024/01/02', Stooq's '20240102'), a date-time
 * ('2024-01-02 09:30', '2024-01-02T09:30:00', with an optional zone: 'Z', '+01:00', '-0500'),
 * or epoch seconds (10 digits) / ms (13 digits). A date-time without a zone is wall time in the
 * `--tz` zone (UTC when none is given).
 */
import { invalidArgument } from '../../errors.js';

export interface CellTime {
  /** Epoch ms UTC. For a date alone: 00:00 UTC of that date (the cache's daily-bar convention). */
  time: number;
  dateOnly: boolean;
  /** The cell said its own zone (an offset, 'Z', or epoch): it does not depend on --tz. */
  zoned: boolean;
}

const DATE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_TIME = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i;
const TIME_OF_DAY = /^(\d{1,2}):?(\d{2}):?(\d{2})?$/;
const EPOCH = /^\d{10}(\d{3})?$/;

/** Throws INVALID_ARGUMENT unless `zone` is an IANA zone this runtime knows. */
export function assertTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw invalidArgument(`--tz ${JSON.stringify(zone)} is not a time zone: use an IANA name such as America/New_York`, { field: 'tz', value: zone });
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at instant `t`, ms (positive east of Greenwich). */
export function zoneOffsetMs(zone: string, t: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** Wall time (as if UTC) in `zone` → epoch ms. */
export function wallTimeToUtc(wall: number, zone: string): number {
  const first = wall - zoneOffsetMs(zone, wall);
  const second = wall - zoneOffsetMs(zone, first);
  return second;
}

function validDate(y: number, m: number, d: number): number | undefined {
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? t : undefined;
}

/**
 * Parses a time cell (and the separate time-of-day cell, if the file has one). Returns a string
 * saying what is wrong instead of throwing, so the caller can name the file and line.
 */
export function parseCellTime(cell: string, timeOfDay: string | undefined, zone: string | undefined): CellTime | string {
  const s = cell.trim();
  if (EPOCH.test(s)) {
    const n = Number(s);
    return { time: s.length === 10 ? n * 1000 : n, dateOnly: false, zoned: true };
  }
  const dm = DATE.exec(s) ?? COMPACT_DATE.exec(s);
  if (dm) {
    const day = validDate(Number(dm[1]), Number(dm[2]), Number(dm[3]));
    if (day === undefined) return `${JSON.stringify(cell)} is not a calendar date`;
    if (timeOfDay === undefined || timeOfDay.trim() === '') return { time: day, dateOnly: true, zoned: false };
    const tm = TIME_OF_DAY.exec(timeOfDay.trim());
    if (!tm) return `${JSON.stringify(timeOfDay)} is not a time of day (HH:MM[:SS] or HHMMSS)`;
    const wall = day + (Number(tm[1]) * 3600 + Number(tm[2]) * 60 + Number(tm[3] ?? 0)) * 1000;
    return { time: zone ? wallTimeToUtc(wall, zone) : wall, dateOnly: false, zoned: false };
  }
  const m = DATE_TIME.exec(s);
  if (!m) return `${JSON.stringify(cell)} is not a date or time (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS][zone], or epoch seconds/ms)`;
  const day = validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  const [hh, mm, ss] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (day === undefined || hh > 23 || mm > 59 || ss > 59) return `${JSON.stringify(cell)} is not a valid date-time`;
  const wall = day + (hh * 3600 + mm * 60 + ss) * 1000 + Number((m[7] ?? '0').padEnd(3, '0'));
  const tz = m[8];
  if (tz === undefined) return { time: zone ? wallTimeToUtc(wall, zone) : wall, dateOnly: false, zoned: false };
  if (/^(Z|UTC)$/i.test(tz)) return { time: wall, dateOnly: false, zoned: true };
  const om = /^([+-])(\d{2}):?(\d{2})$/.exec(tz)!;
  const offset = (om[1] === '-' ? -1 : 1) * (Number(om[2]) * 60 + Number(om[3])) * 60_000;
  return { time: wall - offset, dateOnly: false, zoned: true };
}
