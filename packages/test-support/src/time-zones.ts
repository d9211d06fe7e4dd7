/** Small IANA time-zone helpers built on Intl (no dependency). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of instant `t` in `timeZone`. */
export function zonedParts(t: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** UTC offset of `timeZone` at instant `t`, in ms (positive east of Greenwich). */
export function tzOffsetMs(t: number, timeZone: string): number {
  const p = zonedParts(t, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The instant at which the wall clock in `timeZone` shows the given local date and time. */
export function zonedTimeToUtc(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  let t = guess - tzOffsetMs(guess, timeZone);
  t = guess - tzOffsetMs(t, timeZone);
  return t;
}

/** 00:00 UTC of the local calendar date of instant `t` in `timeZone`. */
export function localDateMs(t: number, timeZone: string): number {
  const p = zonedParts(t, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day);
}

/** The instant of local time `hh:mm` in `timeZone` on the date named by `dateMs` (00:00 UTC). */
export function atLocalTime(dateMs: number, hhmm: string, timeZone: string): number {
  const d = new Date(dateMs);
  const [h, m] = hhmm.split(':').map(Number);
  return zonedTimeToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), h ?? 0, m ?? 0, timeZone);
}

/** A short zone name as Yahoo puts it in `meta.timezone` ('EST', 'EDT', 'AEDT', …). */
export function shortZoneName(t: number, timeZone: string): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' })
    .formatToParts(new Date(t))
    .find((p) => p.type === 'timeZoneName')?.value;
  if (name && !name.startsWith('GMT')) return name;
  // Intl gives 'GMT+11' for zones without an en-US abbreviation; Yahoo uses the local one.
  const long = new Intl.DateTimeFormat('en-AU', { timeZone, timeZoneName: 'short' })
    .formatToParts(new Date(t))
    .find((p) => p.type === 'timeZoneName')?.value;
  return long ?? name ?? 'UTC';
}
