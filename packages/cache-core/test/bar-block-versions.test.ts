import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticDailyBars, syntheticIntradayBars } from '@barcache/test-support';
import { BarColumns } from '../src/bar-columns.js';
import { decodeBlock, decodeBlockInto, decodeBlocksShared, encodeBlock } from '../src/tiers/disk/bar-block-codec.js';
import { BLOCK_CODEC_V1, BLOCK_CODEC_VERSION, COL_TIME, crc32, MODE_TIME, MODE_TIME_RUNS } from '../src/tiers/disk/bar-block-format.js';
import { TIME_RUNS_WEEKDAYS } from '../src/tiers/disk/time-runs.js';
import { blockColumns, expectCorrupt, expectSameColumns } from './block-codec-helpers.js';

const DAY = 86_400_000;

interface FixtureBlock {
  name: string;
  block: string;
  hasAdjClose: boolean;
  columns: Record<string, string>;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/block-codec-v1.json', import.meta.url), 'utf8')) as { blocks: FixtureBlock[] };

function f64(hex: string): Float64Array {
  const b = Buffer.from(hex, 'hex');
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function expected(f: FixtureBlock): BarColumns {
  const c = f.columns;
  return new BarColumns({
    time: f64(c.time!),
    open: f64(c.open!),
    high: f64(c.high!),
    low: f64(c.low!),
    close: f64(c.close!),
    volume: f64(c.volume!),
    adjClose: f.hasAdjClose ? f64(c.adjClose!) : undefined,
  });
}

const bytesOf = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));

describe('block format versions', () => {
  it('decodes blocks written by the version-1 encoder (committed fixture bytes)', () => {
    expect(fixture.blocks.length).toBeGreaterThanOrEqual(5);
    for (const f of fixture.blocks) {
      const bytes = bytesOf(f.block);
      expect(bytes[4], f.name).toBe(BLOCK_CODEC_V1);
      expectSameColumns(expected(f), decodeBlock(bytes));
    }
  });

  it('writes exactly the version-1 bytes with maxVersion 1 (what older readers can read)', () => {
    for (const f of fixture.blocks) expect(Buffer.from(encodeBlock(expected(f), { maxVersion: 1 })).toString('hex'), f.name).toBe(f.block);
  });

  it('decodes version-1 and version-2 blocks side by side into one series', () => {
    const v1 = fixture.blocks.find((f) => f.name === 'daily-with-adjclose')!;
    const old = expected(v1);
    const last = old.time[old.length - 1]!;
    const newer = BarColumns.fromBars(syntheticDailyBars({ symbol: 'MIX', start: last + DAY, end: last + 400 * DAY }));
    const v2 = encodeBlock(newer);
    expect(v2[4]).toBe(BLOCK_CODEC_VERSION);
    const parts = decodeBlocksShared([bytesOf(v1.block), v2]);
    expectSameColumns(old, parts[0] as BarColumns);
    expectSameColumns(newer, parts[1] as BarColumns);
    const into = BarColumns.allocate(old.length + newer.length, true);
    decodeBlockInto(bytesOf(v1.block), into, 0);
    decodeBlockInto(v2, into, old.length);
    expectSameColumns(BarColumns.concat([old, newer]), into);
  });

  it('still writes version 1 when a block uses no version-2 mode (older readers keep reading it)', () => {
    // Times that are not integers and an adjClose the ratio mode cannot help with.
    const cols = BarColumns.fromBars(
      Array.from({ length: 50 }, (_, i) => ({ time: i + 0.5, open: 1, high: 2, low: 0.5, close: 1.5 + i, volume: i, adjClose: i * 7.25 })),
    );
    const bytes = encodeBlock(cols);
    expect(bytes[4]).toBe(BLOCK_CODEC_V1);
    expectSameColumns(cols, decodeBlock(bytes));
  });

  it('refuses versions it does not know (what a version-1 reader does with a version-2 block)', () => {
    const good = encodeBlock(BarColumns.fromBars(syntheticDailyBars({ symbol: 'V', start: '2020-01-01', end: '2021-01-01' })));
    for (const version of [0, 3, 255]) {
      const bad = good.slice();
      bad[4] = version;
      const body = bad.length - 4;
      new DataView(bad.buffer).setUint32(body, crc32(bad.subarray(0, body)), true);
      expectCorrupt(() => decodeBlock(bad));
    }
  });
});

describe('block codec: time as runs of equal steps (TIME_RUNS, version 2)', () => {
  it('takes weekday steps for daily bars: a year of times in a few dozen bytes', () => {
    const cols = BarColumns.fromBars(syntheticDailyBars({ symbol: 'T', start: '2019-01-01', end: '2020-01-01' }));
    const bytes = encodeBlock(cols);
    const time = blockColumns(bytes)[COL_TIME]!;
    expect(time.mode).toBe(MODE_TIME_RUNS);
    expect(time.param & TIME_RUNS_WEEKDAYS).toBe(TIME_RUNS_WEEKDAYS);
    // Holidays split the runs: at most 3 varints per holiday, plus the header.
    let holidays = 0;
    for (let i = 1; i < cols.length; i++) {
      const gap = (cols.time[i]! - cols.time[i - 1]!) / DAY;
      const weekend = new Date(cols.time[i]!).getUTCDay() === 1 ? 2 : 0;
      if (gap - weekend !== 1) holidays++;
    }
    expect(time.length).toBeLessThanOrEqual(12 + 6 * (holidays + 1));
    expectSameColumns(cols, decodeBlock(bytes));
  });

  it('takes plain steps for minute bars', () => {
    const cols = BarColumns.fromBars(syntheticIntradayBars({ symbol: 'T', interval: '1m', start: '2024-03-04', end: '2024-03-05' }));
    const bytes = encodeBlock(cols);
    const time = blockColumns(bytes)[COL_TIME]!;
    expect(time.mode).toBe(MODE_TIME_RUNS);
    expect(time.param).toBe(0);
    expect(time.length).toBeLessThan(20);
    expectSameColumns(cols, decodeBlock(bytes));
  });

  it('is bit-exact for arbitrary ascending times (fast-check), picking whichever mode is smaller', () => {
    const step = fc.oneof(
      fc.constantFrom(DAY, 3 * DAY, 7 * DAY, 60_000, 1),
      fc.integer({ min: 1, max: 40 }).map((d) => d * DAY),
      fc.integer({ min: 1, max: 1e9 }),
      fc.double({ min: 0.001, max: 1e6, noNaN: true }),
    );
    const start = fc.oneof(
      fc.integer({ min: -5000, max: 30000 }).map((d) => d * DAY),
      fc.integer({ min: -(2 ** 50), max: 2 ** 50 }),
      fc.constantFrom(-0, 0, 2 ** 51 - 1),
    );
    fc.assert(
      fc.property(start, fc.array(fc.tuple(step, fc.integer({ min: 1, max: 30 })), { maxLength: 8 }), (t0, runs) => {
        const times = [t0];
        for (const [s, repeat] of runs) for (let k = 0; k < repeat; k++) times.push(times[times.length - 1]! + s);
        const n = times.length;
        if (!times.every((t, i) => i === 0 || t > times[i - 1]!)) return;
        const cols = new BarColumns({
          time: Float64Array.from(times),
          open: new Float64Array(n),
          high: new Float64Array(n),
          low: new Float64Array(n),
          close: new Float64Array(n),
          volume: new Float64Array(n),
          adjClose: undefined,
        });
        const bytes = encodeBlock(cols);
        const mode = blockColumns(bytes)[COL_TIME]!.mode;
        expect(bytes[4]).toBe(mode === MODE_TIME_RUNS ? BLOCK_CODEC_VERSION : BLOCK_CODEC_V1);
        expectSameColumns(cols, decodeBlock(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('detects every flipped byte of the time runs (CRC)', () => {
    const good = encodeBlock(BarColumns.fromBars(syntheticDailyBars({ symbol: 'T', start: '2019-01-01', end: '2020-01-01' })));
    const time = blockColumns(good)[COL_TIME]!;
    for (let i = time.start; i < time.start + time.length; i++) {
      const bad = good.slice();
      bad[i] = bad[i]! ^ 0x21;
      expectCorrupt(() => decodeBlock(bad));
    }
  });

  it('keeps the plain TIME mode where runs do not pay (irregular steps)', () => {
    const times = [0];
    for (let i = 1; i < 100; i++) times.push(times[i - 1]! + 1000 * (1 + ((i * 7919) % 13)));
    const cols = BarColumns.fromBars(times.map((time) => ({ time, open: 1, high: 1, low: 1, close: 1, volume: 1 })));
    expect(blockColumns(encodeBlock(cols))[COL_TIME]!.mode).toBe(MODE_TIME);
  });
});
