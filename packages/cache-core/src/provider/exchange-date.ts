/** Exchange-local calendar dates, for naming daily bars (00:00 UTC of the exchange-local date). */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      f = null; // not a zone this runtime knows
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the IANA zone. */
export function isKnownTimeZone(timeZone: string): boolean {
  return formatter(timeZone) !== null;
}

/**
 * 00:00 UTC of the calendar date that instant `t` falls on in `timeZone`. When the zone is
 * unknown, falls back to a fixed UTC offset in seconds (Yahoo's `gmtoffset`), else UTC.
 */
export function exchangeDateMs(t: number, timeZone: string | undefined, fallbackOffsetSec = 0): number {
  const f = timeZone ? formatter(timeZone) : null;
  if (!f) return Math.floor((t + fallbackOffsetSec * 1000) / DAY_MS) * DAY_MS;
  let year = 1970;
  let month = 1;
  let day = 1;
  for (const p of f.formatToParts(new Date(t))) {
    if (p.type === 'year') year = Number(p.value);
    else if (p.type === 'month') month = Number(p.value);
    else if (p.type === 'day') day = Number(p.value);
  }
  return Date.UTC(year, month - 1, day);
}
