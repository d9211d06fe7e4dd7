import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatCount,
  formatDuration,
  formatInclusiveRange,
  formatInstant,
  formatPercent,
  formatRange,
  formatRanges,
  rangeToJson,
} from '../src/cli/format.js';

const D = (s: string) => Date.parse(`${s}T00:00:00Z`);

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024 - 1, '1.0 MiB'],
    [10 * 1024 * 1024, '10.0 MiB'],
    [3.25 * 1024 ** 3, '3.3 GiB'],
    [2 * 1024 ** 5, '2048.0 TiB'],
    [-2048, '-2.0 KiB'],
    [Number.NaN, '–'],
  ])('%s → %s', (n, s) => expect(formatBytes(n)).toBe(s));
});

describe('formatDuration', () => {
  it.each([
    [0, '0.00 ms'],
    [0.042, '0.04 ms'],
    [1.25, '1.3 ms'],
    [12.4, '12 ms'],
    [999, '999 ms'],
    [1000, '1.0 s'],
    [1520, '1.5 s'],
    [59_949, '59.9 s'],
    [60_000, '1m 00s'],
    [125_000, '2m 05s'],
    [3_599_000, '59m 59s'],
    [3_600_000, '1h 00m'],
    [3_720_000, '1h 02m'],
    [-1, '–'],
    [Number.POSITIVE_INFINITY, '–'],
  ])('%s ms → %s', (ms, s) => expect(formatDuration(ms)).toBe(s));
});

describe('formatCount / formatPercent', () => {
  it('groups thousands without the locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-1234.5)).toBe('-1,234.5');
  });
  it('percent with one decimal, – when undefined', () => {
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(0.98765)).toBe('98.8%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(undefined)).toBe('–');
  });
});

describe('times and ranges', () => {
  it('formats instants: dates at midnight, minutes otherwise, seconds when present', () => {
    expect(formatInstant(D('2024-03-01'))).toBe('2024-03-01');
    expect(formatInstant(Date.parse('2024-03-01T14:30:00Z'))).toBe('2024-03-01 14:30Z');
    expect(formatInstant(Date.parse('2024-03-01T14:30:15Z'))).toBe('2024-03-01 14:30:15Z');
    expect(formatInstant(undefined)).toBe('–');
  });

  it('shows a half-open daily range as inclusive dates', () => {
    expect(formatRange({ start: D('2024-01-01'), end: D('2024-02-01') })).toBe('2024-01-01 → 2024-01-31');
    expect(formatRange({ start: D('2024-01-05'), end: D('2024-01-06') })).toBe('2024-01-05');
  });

  it('shows [start, inclusive end + 1 ms) through the inclusive end date', () => {
    expect(formatRange({ start: D('2024-03-01'), end: D('2024-06-30') + 1 })).toBe('2024-03-01 → 2024-06-30');
    expect(formatRange({ start: D('2024-03-01'), end: D('2024-03-01') + 1 })).toBe('2024-03-01');
    const t = (s: string) => Date.parse(s);
    expect(formatRange({ start: t('2024-01-02T14:30:00Z'), end: t('2024-01-02T16:00:00Z') + 1 })).toBe(
      '2024-01-02 14:30Z → 2024-01-02 16:00Z',
    );
  });

  it('inclusive ranges of whole days show dates', () => {
    expect(formatInclusiveRange(D('2024-03-01'), D('2024-03-04') - 1)).toBe('2024-03-01 → 2024-03-03');
    expect(formatInclusiveRange(D('2024-03-01'), D('2024-03-02') - 1)).toBe('2024-03-01');
    expect(formatInclusiveRange(D('2024-03-01'), Date.parse('2024-03-01T16:00:00Z'))).toBe('2024-03-01 → 2024-03-01 16:00Z');
  });

  it('keeps an intraday range half-open, with balanced brackets', () => {
    const r = { start: Date.parse('2024-01-02T14:30:00Z'), end: Date.parse('2024-01-02T21:00:00Z') };
    expect(formatRange(r)).toBe('[2024-01-02 14:30Z, 2024-01-02 21:00Z)');
    // An intraday start and a midnight end (an inclusive --to date): through that date.
    expect(formatRange({ start: Date.parse('2024-03-03T15:00:00Z'), end: D('2024-03-05') })).toBe('2024-03-03 15:00Z → 2024-03-04');
    for (const text of [formatRange(r), formatRange({ start: 5, end: 5 })]) {
      expect(text.split('[').length).toBe(text.split(')').length);
    }
  });

  it('inclusive ranges and lists', () => {
    expect(formatInclusiveRange(D('2024-01-02'), D('2024-12-31'))).toBe('2024-01-02 → 2024-12-31');
    expect(formatInclusiveRange(D('2024-01-02'), D('2024-01-02'))).toBe('2024-01-02');
    expect(formatRanges([])).toBe('–');
    expect(
      formatRanges(
        [
          { start: D('2024-01-01'), end: D('2024-01-03') },
          { start: D('2024-02-01'), end: D('2024-02-02') },
        ],
        ', ',
      ),
    ).toBe('2024-01-01 → 2024-01-02, 2024-02-01');
  });

  it('rangeToJson keeps ms and adds ISO strings', () => {
    expect(rangeToJson({ start: D('2024-01-01'), end: D('2024-01-02') })).toEqual({
      start: D('2024-01-01'),
      end: D('2024-01-02'),
      startIso: '2024-01-01T00:00:00.000Z',
      endIso: '2024-01-02T00:00:00.000Z',
      endInclusive: false,
    });
  });

  it('rangeToJson gives an inclusive end back as given: no internal +1 ms', () => {
    const json = rangeToJson({ start: D('2024-01-01'), end: D('2024-03-31') + 1 });
    expect(json).toMatchObject({ end: D('2024-03-31'), endIso: '2024-03-31T00:00:00.000Z', endInclusive: true });
    expect(JSON.stringify(json)).not.toContain('.001Z');
  });

  it('formatAgo', () => {
    const now = Date.parse('2024-06-01T12:00:00Z');
    expect(formatAgo(now - 4_000, now)).toBe('just now');
    expect(formatAgo(now - 42_000, now)).toBe('42 s ago');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 86_400_000, now)).toBe('24 h ago');
    expect(formatAgo(now - 3 * 86_400_000, now)).toBe('3 days ago');
    expect(formatAgo(D('2024-01-15'), now)).toBe('2024-01-15');
    expect(formatAgo(undefined, now)).toBe('–');
    expect(formatAgo(now + 10_000, now)).toBe('just now');
    expect(formatAgo(now + 2 * 86_400_000, now)).toBe('2024-06-03');
  });
});
