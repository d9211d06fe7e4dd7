import { describe, expect, it } from 'vitest';
import { escapeHtml, formatAgo, formatBytes, formatCount, formatPercent, formatRange, formatTime, mdCell } from '../../src/format.js';

describe('format', () => {
  it('counts', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(950)).toBe('950');
    expect(formatCount(1000)).toBe('1k');
    expect(formatCount(1234)).toBe('1.2k');
    expect(formatCount(123_456)).toBe('123k');
    expect(formatCount(1_250_000)).toBe('1.3M');
    expect(formatCount(Number.NaN)).toBe('–');
  });
  it('bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(formatBytes(Number.NaN)).toBe('–');
  });
  it('percent never claims 100% or 0% falsely', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.874)).toBe('87%');
    expect(formatPercent(0.9999)).toBe('99%');
    expect(formatPercent(0.0001)).toBe('1%');
    expect(formatPercent(2)).toBe('100%');
  });
  it('ago', () => {
    const now = 1_700_000_000_000;
    expect(formatAgo(now, now)).toBe('just now');
    expect(formatAgo(now - 42_000, now)).toBe('42 s ago');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 3 * 86_400_000, now)).toBe('3 days ago');
    expect(formatAgo(now + 10_000, now)).toBe('just now');
  });
  it('times and ranges', () => {
    const d = Date.UTC(2024, 9, 1);
    expect(formatTime(d)).toBe('2024-10-01');
    expect(formatTime(d + 90 * 60_000)).toBe('2024-10-01 01:30');
    // half-open [1 Oct, 4 Oct) shows the last covered day, 3 Oct
    expect(formatRange({ start: d, end: d + 3 * 86_400_000 }, true)).toBe('2024-10-01 → 2024-10-03');
    expect(formatRange({ start: d, end: d + 86_400_000 }, true)).toBe('2024-10-01');
    expect(formatRange({ start: d + 3_600_000, end: d + 7_200_000 }, false)).toBe('2024-10-01 01:00 → 2024-10-01 02:00');
  });
  it('escapes markdown cells and html', () => {
    expect(mdCell('a|b\nc')).toBe('a\\|b c');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
