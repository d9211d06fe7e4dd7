import { describe, expect, it } from 'vitest';
import { BarcacheError } from '../src/errors.js';
import {
  isDateOnly,
  parseExplicitRange,
  parseIntervalOption,
  parseLookback,
  parseNonNegativeInt,
  parseSymbols,
  resolveClearRequest,
  parseDateOption,
  resolveDateRange,
  resolveGlobalOptions,
  startOfUtcDay,
  yearsBefore,
} from '../src/cli/options.js';

const D = (s: string) => Date.parse(`${s}T00:00:00Z`);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof BarcacheError) return err.code;
    throw err;
  }
  return undefined;
}

describe('resolveGlobalOptions', () => {
  const def = () => '/home/u/.cache/barcache';
  it('--dir wins over $BARCACHE_DIR, which wins over the default', () => {
    expect(resolveGlobalOptions({ dir: '/a' }, { BARCACHE_DIR: '/b' }, def, false).dir).toBe('/a');
    expect(resolveGlobalOptions({}, { BARCACHE_DIR: '/b' }, def, false).dir).toBe('/b');
    expect(resolveGlobalOptions({}, { BARCACHE_DIR: '' }, def, false).dir).toBe('/home/u/.cache/barcache');
  });
  it('progress only on a TTY, and not with --quiet or --no-progress', () => {
    expect(resolveGlobalOptions({}, {}, def, true).progress).toBe(true);
    expect(resolveGlobalOptions({}, {}, def, false).progress).toBe(false);
    expect(resolveGlobalOptions({ quiet: true }, {}, def, true).progress).toBe(false);
    expect(resolveGlobalOptions({ progress: false }, {}, def, true).progress).toBe(false);
  });
  it('offline from the flag or BARCACHE_OFFLINE', () => {
    expect(resolveGlobalOptions({ offline: true }, {}, def, false).offline).toBe(true);
    expect(resolveGlobalOptions({}, { BARCACHE_OFFLINE: '1' }, def, false).offline).toBe(true);
    expect(resolveGlobalOptions({}, { BARCACHE_OFFLINE: '0' }, def, false).offline).toBe(false);
  });
  it('lock timeout is a whole number of ms', () => {
    expect(resolveGlobalOptions({ lockTimeout: '250' }, {}, def, false).lockTimeoutMs).toBe(250);
    expect(codeOf(() => resolveGlobalOptions({ lockTimeout: '-1' }, {}, def, false))).toBe('INVALID_ARGUMENT');
  });
});

describe('date ranges', () => {
  const now = Date.parse('2024-06-15T13:45:00Z');
  it('defaults: --to today (UTC), --from one year before --to', () => {
    expect(resolveDateRange({}, now)).toEqual({ start: D('2023-06-15'), end: D('2024-06-15') });
    expect(resolveDateRange({ to: '2024-03-01' }, now)).toEqual({ start: D('2023-03-01'), end: D('2024-03-01') });
    expect(resolveDateRange({ from: '2024-01-02' }, now)).toEqual({ start: D('2024-01-02'), end: D('2024-06-15') });
  });
  it('accepts ISO date-times with a zone', () => {
    expect(resolveDateRange({ from: '2024-01-02T14:30:00Z', to: '2024-01-03' }, now).start).toBe(
      Date.parse('2024-01-02T14:30:00Z'),
    );
  });
  it('a reversed range, a malformed or impossible date is INVALID_ARGUMENT', () => {
    expect(codeOf(() => resolveDateRange({ from: '2024-02-01', to: '2024-01-01' }, now))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolveDateRange({ from: '2024-13-01' }, now))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolveDateRange({ from: '2023-02-29' }, now))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolveDateRange({ to: 'yesterday' }, now))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolveDateRange({ from: '2024-01-02T10:00' }, now))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolveDateRange({ from: '2999-01-01' }, now))).toBe('INVALID_ARGUMENT');
  });
  it('names the option and the dates in the message', () => {
    try {
      parseExplicitRange('2024-02-01', '2024-01-01');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/reversed range.*2024-02-01.*2024-01-01/);
    }
    try {
      parseExplicitRange('2024-01-01', 'nope');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^to "nope"/);
    }
  });
  it('a date as --to means the whole day for intraday intervals, the bar of that day otherwise', () => {
    expect(resolveDateRange({ from: '2024-03-01', to: '2024-03-01' }, now, '5m')).toEqual({
      start: D('2024-03-01'),
      end: D('2024-03-02') - 1,
    });
    expect(resolveDateRange({ from: '2024-03-01', to: '2024-03-01' }, now, '1wk').end).toBe(D('2024-03-01'));
    expect(resolveDateRange({ to: '2024-03-01T15:00:00Z' }, now, '5m').end).toBe(Date.parse('2024-03-01T15:00:00Z'));
    expect(resolveDateRange({}, now, '1h')).toEqual({ start: D('2023-06-15'), end: D('2024-06-16') - 1 });
    expect(parseExplicitRange('2024-03-01', '2024-03-01', '15m')).toEqual({ start: D('2024-03-01'), end: D('2024-03-02') - 1 });
    expect(isDateOnly('2024-03-01')).toBe(true);
    expect(isDateOnly('2024-03-01T00:00Z')).toBe(false);
  });

  it('a single-day range is fine', () => {
    expect(parseExplicitRange('2024-01-02', '2024-01-02')).toEqual({ start: D('2024-01-02'), end: D('2024-01-02') });
  });
  it('yearsBefore and startOfUtcDay', () => {
    expect(yearsBefore(D('2024-02-29'), 1)).toBe(D('2023-03-01'));
    expect(yearsBefore(D('2024-12-31'), 1)).toBe(D('2023-12-31'));
    expect(startOfUtcDay(Date.parse('2024-06-15T23:59:59.999Z'))).toBe(D('2024-06-15'));
  });
});

describe('intervals, symbols, lookback', () => {
  it('interval defaults to 1d; unknown ones are UNSUPPORTED_INTERVAL', () => {
    expect(parseIntervalOption(undefined)).toBe('1d');
    expect(parseIntervalOption('1wk')).toBe('1wk');
    expect(parseIntervalOption(' 5m ')).toBe('5m');
    expect(codeOf(() => parseIntervalOption('7d'))).toBe('UNSUPPORTED_INTERVAL');
    expect(codeOf(() => parseIntervalOption('1D'))).toBe('UNSUPPORTED_INTERVAL');
  });
  it('symbols: upper-cased, comma or space separated, de-duplicated, validated', () => {
    expect(parseSymbols(['aapl', 'MSFT,spy', 'AAPL', ' ^gspc '])).toEqual(['AAPL', 'MSFT', 'SPY', '^GSPC']);
    expect(parseSymbols(['BRK-B', 'EURUSD=X', 'BHP.AX'])).toEqual(['BRK-B', 'EURUSD=X', 'BHP.AX']);
    expect(codeOf(() => parseSymbols([]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseSymbols([' , ']))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseSymbols(['AA PL']))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseSymbols(['$AAPL']))).toBe('INVALID_ARGUMENT');
  });
  it('lookback: N bars, Nd days, 0 = none', () => {
    expect(parseLookback(undefined)).toBeUndefined();
    expect(parseLookback('30')).toEqual({ bars: 30 });
    expect(parseLookback('30b')).toEqual({ bars: 30 });
    expect(parseLookback('45d')).toEqual({ days: 45 });
    expect(parseLookback('45 days')).toEqual({ days: 45 });
    expect(parseLookback('0')).toBeUndefined();
    expect(codeOf(() => parseLookback('-3'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseLookback('3w'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseLookback('1e3'))).toBe('INVALID_ARGUMENT');
  });
  it('non-negative integers', () => {
    expect(parseNonNegativeInt('0', 'x')).toBe(0);
    expect(parseNonNegativeInt(' 42 ', 'x')).toBe(42);
    expect(codeOf(() => parseNonNegativeInt('1.5', 'x'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseNonNegativeInt('', 'x'))).toBe('INVALID_ARGUMENT');
  });
});

describe('resolveClearRequest', () => {
  it('refuses to clear everything without --all', () => {
    expect(codeOf(() => resolveClearRequest({}))).toBe('INVALID_ARGUMENT');
  });
  it('--all alone clears everything; with a filter it is contradictory', () => {
    expect(resolveClearRequest({ all: true })).toEqual({ kind: 'all' });
    expect(codeOf(() => resolveClearRequest({ all: true, symbol: 'AAPL' }))).toBe('INVALID_ARGUMENT');
  });
  it('normalises the filter', () => {
    expect(resolveClearRequest({ symbol: 'aapl', interval: '1d', before: '2024-01-01' })).toEqual({
      kind: 'filtered',
      filter: { symbol: 'AAPL', interval: '1d', before: D('2024-01-01') },
    });
    expect(codeOf(() => resolveClearRequest({ interval: '2d' }))).toBe('UNSUPPORTED_INTERVAL');
    expect(codeOf(() => resolveClearRequest({ before: '01/02/2024' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolveClearRequest({ symbol: '' }))).toBe('INVALID_ARGUMENT');
  });
});

describe('epoch ms on the command line', () => {
  it('accepts --from 1704067200000 as 2024-01-01T00:00Z, in a range too', () => {
    expect(parseDateOption('1704067200000', 'from')).toBe(Date.UTC(2024, 0, 1));
    expect(resolveDateRange({ from: '1704067200000', to: '1706659200000' }, Date.UTC(2024, 5, 1))).toEqual({
      start: Date.UTC(2024, 0, 1),
      end: Date.UTC(2024, 0, 31),
    });
  });
  it('never takes a compact date for epoch ms', () => {
    expect(() => parseDateOption('20240101', 'from')).toThrow(/from "20240101" is not a date/);
  });
});

describe('--shared / --no-shared', () => {
  const resolve = (raw: Record<string, unknown>, env: Record<string, string | undefined> = {}) =>
    resolveGlobalOptions(raw as never, env, () => '/default', false);
  it('takes --shared, else BARCACHE_SHARED_URL; --no-shared turns it off whatever the environment says', () => {
    expect(resolve({ shared: 'redis://h:6379' }, { BARCACHE_SHARED_URL: 'redis://env:6379' }).shared).toBe('redis://h:6379');
    expect(resolve({}, { BARCACHE_SHARED_URL: 'redis://env:6379' }).shared).toBe('redis://env:6379');
    expect(resolve({ shared: false }, { BARCACHE_SHARED_URL: 'redis://env:6379' }).shared).toBe(false);
    expect(resolve({}, {}).shared).toBeUndefined();
    expect(() => resolve({ shared: '' })).toThrow(/--shared needs a URL/);
  });
});
