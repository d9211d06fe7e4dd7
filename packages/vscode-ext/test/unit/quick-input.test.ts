import { describe, expect, it } from 'vitest';
import { defaultRange, isInterval, parseDate, parseRange, parseSymbols, pushRecent, validateDateInput, validateSymbolsInput } from '../../src/quick-input.js';

const NOW = Date.UTC(2024, 9, 15, 13, 45); // 2024-10-15 13:45 UTC

describe('symbols', () => {
  it('splits on commas and spaces, upper-cases and de-duplicates in order', () => {
    expect(parseSymbols(' aapl, MSFT  spy;aapl ')).toEqual({ ok: true, symbols: ['AAPL', 'MSFT', 'SPY'] });
  });
  it('accepts Yahoo-style tickers', () => {
    expect(parseSymbols('^GSPC BRK-B EURUSD=X BTC-USD VOD.L')).toEqual({ ok: true, symbols: ['^GSPC', 'BRK-B', 'EURUSD=X', 'BTC-USD', 'VOD.L'] });
  });
  it('rejects empty input and malformed tickers by name', () => {
    expect(validateSymbolsInput('  ')).toMatch(/at least one symbol/);
    expect(validateSymbolsInput('AAPL $$$ <x>')).toMatch(/Not a ticker: \$\$\$, <X>/);
    expect(validateSymbolsInput('A'.repeat(33))).toMatch(/Not a ticker/);
    expect(validateSymbolsInput('AAPL')).toBeUndefined();
  });
});

describe('dates', () => {
  it('parses ISO dates and checks the calendar', () => {
    expect(parseDate('2024-02-29', NOW)).toEqual({ ok: true, value: '2024-02-29' });
    expect(parseDate('2023-02-29', NOW)).toMatchObject({ ok: false });
    expect(parseDate('2024-13-01', NOW)).toMatchObject({ ok: false });
    expect(parseDate('1969-12-31', NOW)).toMatchObject({ ok: false });
    expect(validateDateInput('10/01/2024', NOW)).toMatch(/not a date/);
    expect(validateDateInput('', NOW)).toMatch(/Enter a date/);
  });
  it('parses today, yesterday and relative dates in UTC', () => {
    expect(parseDate('today', NOW)).toEqual({ ok: true, value: '2024-10-15' });
    expect(parseDate('Yesterday', NOW)).toEqual({ ok: true, value: '2024-10-14' });
    expect(parseDate('-30d', NOW)).toEqual({ ok: true, value: '2024-09-15' });
    expect(parseDate('-2w', NOW)).toEqual({ ok: true, value: '2024-10-01' });
    expect(parseDate('-6m', NOW)).toEqual({ ok: true, value: '2024-04-15' });
    expect(parseDate('-1Y', NOW)).toEqual({ ok: true, value: '2023-10-15' });
  });
  it('orders a range', () => {
    expect(parseRange('2024-01-01', 'today', NOW)).toEqual({ ok: true, value: { start: '2024-01-01', end: '2024-10-15' } });
    expect(parseRange('2024-10-02', '2024-10-01', NOW)).toMatchObject({ ok: false, message: expect.stringMatching(/after the end/) });
    expect(parseRange('nope', '2024-10-01', NOW)).toMatchObject({ ok: false, message: expect.stringMatching(/^Start:/) });
    expect(parseRange('2024-10-01', 'nope', NOW)).toMatchObject({ ok: false, message: expect.stringMatching(/^End:/) });
  });
  it('proposes a default range ending today', () => {
    expect(defaultRange(NOW, 365)).toEqual({ start: '2023-10-16', end: '2024-10-15' });
    expect(defaultRange(NOW, 0)).toEqual({ start: '2024-10-14', end: '2024-10-15' });
  });
});

describe('misc', () => {
  it('keeps recent values most-recent-first, distinct, bounded', () => {
    expect(pushRecent(['A', 'B', 'C'], 'B', 3)).toEqual(['B', 'A', 'C']);
    expect(pushRecent(['A', 'B', 'C'], 'D', 3)).toEqual(['D', 'A', 'B']);
  });
  it('knows the intervals', () => {
    expect(isInterval('1d')).toBe(true);
    expect(isInterval('1y')).toBe(false);
    expect(isInterval(1)).toBe(false);
  });
});
