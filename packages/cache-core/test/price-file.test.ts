/**
 * Price files in: the common layouts read to the same bars, and every kind of bad file is an
 * INVALID_FILE error naming the file and the line (1-based, as an editor shows it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@barcache/test-support';
import { BarcacheError } from '../src/errors.js';
import { FileProvider } from '../src/provider/file/file-provider.js';
import { parsePriceFile } from '../src/provider/file/price-file.js';
import { readPriceFiles, symbolFromFileName } from '../src/provider/file/price-folder.js';
import { parseCellTime, wallTimeToUtc } from '../src/provider/file/price-time.js';
import { beforeEach, afterEach } from 'vitest';

const D = (s: string) => Date.parse(`${s}T00:00:00Z`);

function invalid(fn: () => unknown): BarcacheError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BarcacheError);
    expect((err as BarcacheError).code).toBe('INVALID_FILE');
    return err as BarcacheError;
  }
  throw new Error('expected INVALID_FILE');
}

describe('layouts', () => {
  it("Yahoo's CSV download: Date,Open,High,Low,Close,Adj Close,Volume (and its null rows skipped)", () => {
    const s = parsePriceFile(
      'Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,187.15,188.44,183.89,185.64,184.94,82488700\n2024-01-03,null,null,null,null,null,null\n2024-01-04,182.15,183.09,180.88,181.91,181.22,71983600\n',
      'AAPL.csv',
    );
    expect(s.interval).toBe('1d');
    expect(s.skippedRows).toBe(1);
    expect(s.bars).toEqual([
      { time: D('2024-01-02'), open: 187.15, high: 188.44, low: 183.89, close: 185.64, adjClose: 184.94, volume: 82488700 },
      { time: D('2024-01-04'), open: 182.15, high: 183.09, low: 180.88, close: 181.91, adjClose: 181.22, volume: 71983600 },
    ]);
  });

  it('Stooq: Date,Open,High,Low,Close,Volume, and its raw <TICKER>,<PER>,<DATE>,<TIME>… export', () => {
    const plain = parsePriceFile('Date,Open,High,Low,Close,Volume\r\n2024-01-02,373.86,375.9,366.77,370.87,25258600\r\n', 'msft.us.txt');
    expect(plain.bars).toEqual([{ time: D('2024-01-02'), open: 373.86, high: 375.9, low: 366.77, close: 370.87, volume: 25258600 }]);
    const raw = parsePriceFile(
      '<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>\nMSFT.US,5,20240102,153000,373.86,375.9,366.77,370.87,1000,0\nMSFT.US,5,20240102,153500,370.87,371,370,370.5,900,0\n',
      'x.txt',
    );
    expect(raw.ticker).toBe('MSFT.US');
    expect(raw.interval).toBe('5m');
    expect(raw.bars.map((b) => b.time)).toEqual([Date.parse('2024-01-02T15:30:00Z'), Date.parse('2024-01-02T15:35:00Z')]);
  });

  it('a broker export: a time column in local time (--tz), semicolons, newest first', () => {
    const s = parsePriceFile(
      'Timestamp;O;H;L;C;Vol\n2024-07-01 09:35:00;10.5;11;10;10.8;200\n2024-07-01 09:30:00;10;10.6;9.9;10.5;100\n',
      'broker.csv',
      { tz: 'America/New_York' },
    );
    expect(s.interval).toBe('5m');
    // 09:30 New York in July is 13:30 UTC (EDT); the file was newest first and is read ascending.
    expect(s.bars.map((b) => b.time)).toEqual([Date.parse('2024-07-01T13:30:00Z'), Date.parse('2024-07-01T13:35:00Z')]);
    expect(s.bars[0]).toMatchObject({ open: 10, close: 10.5, volume: 100 });
  });

  it('date-times with their own offsets need no --tz; epoch seconds too', () => {
    const s = parsePriceFile('time,open,high,low,close\n2024-01-02T09:30:00-05:00,1,2,0.5,1.5\n2024-01-02T10:30:00-05:00,1,2,0.5,1.5\n', 'f.csv', { tz: 'Asia/Tokyo' });
    expect(s.bars.map((b) => b.time)).toEqual([Date.parse('2024-01-02T14:30:00Z'), Date.parse('2024-01-02T15:30:00Z')]);
    expect(s.interval).toBe('1h');
    const e = parsePriceFile('1704205800,1,2,0.5,1.5,10\n1704205860,1,2,0.5,1.5,10\n', 'noheader.csv');
    expect(e.interval).toBe('1m');
    expect(e.bars[0]!.time).toBe(1704205800_000);
  });

  it('the time zone conversion follows daylight saving', () => {
    expect(wallTimeToUtc(Date.parse('2024-01-02T09:30:00Z'), 'America/New_York')).toBe(Date.parse('2024-01-02T14:30:00Z'));
    expect(wallTimeToUtc(Date.parse('2024-07-02T09:30:00Z'), 'America/New_York')).toBe(Date.parse('2024-07-02T13:30:00Z'));
    expect(parseCellTime('2024-02-30', undefined, undefined)).toMatch(/not a calendar date/);
  });

  it('symbols and intervals from file names', () => {
    expect(symbolFromFileName('/x/AAPL.csv')).toEqual({ symbol: 'AAPL' });
    expect(symbolFromFileName('aapl.us.txt')).toEqual({ symbol: 'AAPL.US' });
    expect(symbolFromFileName('MSFT_5m.csv')).toEqual({ symbol: 'MSFT', interval: '5m' });
  });
});

describe('bad files: INVALID_FILE with file and line', () => {
  it('a missing column names it (line 1)', () => {
    const e = invalid(() => parsePriceFile('Date,Open,High,Low,Volume\n2024-01-02,1,2,0.5,10\n', 'a.csv'));
    expect(e.details).toMatchObject({ file: 'a.csv', line: 1, missing: ['close'] });
    expect(e.message).toMatch(/^a\.csv:1: missing column close/);
  });

  it('a bad number names the column and line', () => {
    const e = invalid(() => parsePriceFile('Date,Open,High,Low,Close\n2024-01-02,1,2,0.5,1\n2024-01-03,1,2,abc,1\n', 'b.csv'));
    expect(e.details).toMatchObject({ file: 'b.csv', line: 3, column: 'low' });
    expect(e.message).toMatch(/bad number in column low: "abc"/);
  });

  it('unsorted times', () => {
    const e = invalid(() =>
      parsePriceFile('Date,Open,High,Low,Close\n2024-01-02,1,2,0.5,1\n2024-01-04,1,2,0.5,1\n2024-01-03,1,2,0.5,1\n', 'c.csv'),
    );
    expect(e.details).toMatchObject({ file: 'c.csv', line: 4, otherLine: 3 });
    expect(e.message).toMatch(/not sorted by time/);
  });

  it('duplicate timestamps name both lines', () => {
    const e = invalid(() => parsePriceFile('Date,Open,High,Low,Close\n2024-01-02,1,2,0.5,1\n2024-01-02,1,2,0.5,1\n', 'd.csv'));
    expect(e.details).toMatchObject({ file: 'd.csv', line: 3, otherLine: 2 });
    expect(e.message).toMatch(/duplicate time 2024-01-02T00:00:00.000Z \(also on line 2\)/);
  });

  it('mixed time zones: some times with an offset, some without', () => {
    const e = invalid(() =>
      parsePriceFile('time,open,high,low,close\n2024-01-02 09:30:00-05:00,1,2,0.5,1\n2024-01-02 09:35:00,1,2,0.5,1\n', 'e.csv'),
    );
    expect(e.details).toMatchObject({ file: 'e.csv', line: 3 });
    expect(e.message).toMatch(/mixed time zones/);
  });

  it('a ragged row, an empty file, a bad date, high below low', () => {
    expect(invalid(() => parsePriceFile('Date,Open,High,Low,Close\n2024-01-02,1,2,0.5\n', 'f.csv')).details).toMatchObject({ line: 2 });
    expect(invalid(() => parsePriceFile('', 'g.csv')).message).toMatch(/empty/);
    expect(invalid(() => parsePriceFile('Date,Open,High,Low,Close\n2024-13-02,1,2,0.5,1\n', 'h.csv')).details).toMatchObject({ line: 2, column: 'time' });
    expect(invalid(() => parsePriceFile('Date,Open,High,Low,Close\n2024-01-02,1,0.5,2,1\n', 'i.csv')).message).toMatch(/below low/);
  });
});

describe('FileProvider over a folder', () => {
  let dir = '';
  const temp = useTempDir('barcache-files-', { beforeEach, afterEach });
  beforeEach(() => {
    dir = join(temp.path, 'prices');
    mkdirSync(dir);
    writeFileSync(join(dir, 'AAPL.csv'), 'Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,10\n2024-01-03,1,2,0.5,1.6,10\n2024-01-04,1,2,0.5,1.7,10\n');
    writeFileSync(join(dir, 'notes.md'), 'not a price file');
  });

  it('serves [start, end) of a file, names itself, refuses unknown symbols and other intervals', async () => {
    const p = new FileProvider({ path: dir });
    expect(p.name).toBe('file');
    const r = await p.fetchBars({ symbol: 'aapl', interval: '1d', start: D('2024-01-03'), end: D('2024-01-04') });
    expect(r.bars.map((b) => b.close)).toEqual([1.6]);
    await expect(p.fetchBars({ symbol: 'MSFT', interval: '1d', start: 0, end: D('2025-01-01') })).rejects.toMatchObject({ code: 'UNKNOWN_SYMBOL' });
    await expect(p.fetchBars({ symbol: 'AAPL', interval: '1h', start: 0, end: D('2025-01-01') })).rejects.toMatchObject({ code: 'UNSUPPORTED_INTERVAL' });
    expect(() => new FileProvider({ path: dir, name: 'yahoo' })).toThrow(/Yahoo's/);
  });

  it('one bad file fails the folder, naming it', async () => {
    writeFileSync(join(dir, 'MSFT.csv'), 'Date,Open,High,Low,Close\n2024-01-02,1,2,0.5,x\n');
    await expect(readPriceFiles(dir)).rejects.toMatchObject({ code: 'INVALID_FILE', details: { file: join(dir, 'MSFT.csv'), line: 2 } });
  });
});
