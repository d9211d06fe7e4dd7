/**
 * The lookback figures: a 30-day lookback at seeded random days of a resident 10-year daily
 * series, by peekBars (epoch ms and 'YYYY-MM-DD' strings), by getBars (awaited), and by two
 * baselines a user could write over a preloaded Bar[]. Every method runs `ops` calls per round,
 * rounds interleave the methods (so a slow spell of a shared machine hits all of them alike), and
 * each figure is the median ns/op over the rounds, after one warm-up round.
 */
import { performance } from 'node:perf_hooks';
import { DAY_MS as D, openCache, type Bar, type BarProvider } from '@barcache/cache-core';
import { lowerBound, upperBound } from '../window.js';

export interface LookbackFigures {
  seriesBars: number;
  lookbackDays: number;
  ops: number;
  repeats: number;
  /** Baseline A: two binary searches on the preloaded Bar[]'s `.time`, then `Array.prototype.slice`. */
  arrayNs: number;
  /** Baseline B: the two searches on a Float64Array of the times, then `Bar[].slice`. */
  typedArrayNs: number;
  peekNs: number;
  getBarsNs: number;
  /** peekBars with 'YYYY-MM-DD' strings for start and end. */
  peekStringNs: number;
  /** peekNs / arrayNs. */
  peekRatio: number;
  /** peekNs / typedArrayNs. */
  peekTypedRatio: number;
  /** getBarsNs / arrayNs. */
  getBarsRatio: number;
  /** peekStringNs / peekNs. */
  stringRatio: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Binary searches over a Float64Array of ascending times. */
function typedBounds(times: Float64Array): { lower(t: number): number; upper(t: number): number } {
  return {
    lower(t) {
      let lo = 0;
      let hi = times.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (times[mid]! < t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
    upper(t) {
      let lo = 0;
      let hi = times.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (times[mid]! <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
  };
}

type SyncOp = (i: number) => number;
type AsyncOp = (i: number) => Promise<number>;

/** ns/op of one round of `n` calls (the result lengths feed a sink so no call is optimised away). */
async function round(n: number, op: SyncOp | AsyncOp, isAsync: boolean): Promise<number> {
  let sink = 0;
  const t0 = performance.now();
  if (isAsync) for (let i = 0; i < n; i++) sink += await (op as AsyncOp)(i);
  else for (let i = 0; i < n; i++) sink += (op as SyncOp)(i);
  const ns = ((performance.now() - t0) * 1e6) / n;
  if (sink === -1) console.error('');
  return ns;
}

export async function lookbackMicro(dir: string, provider: BarProvider, repeats = 7, ops = 200_000): Promise<LookbackFigures> {
  const START = '2015-01-02';
  const END = '2024-12-31';
  const cache = await openCache({ dir, provider, statsSnapshots: false });
  try {
    const session = await cache.prefetch({ symbols: ['TENY'], interval: '1d', start: START, end: END });
    const all: Bar[] = await cache.getBars({ symbol: 'TENY', interval: '1d', start: START, end: END });
    const first = all[0]!.time + 30 * D;
    const span = all.at(-1)!.time - first;
    let seed = 42;
    const ends = Float64Array.from({ length: 4096 }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return Math.floor((first + (seed / 2 ** 31) * span) / D) * D;
    });
    const look = 30 * D;
    const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
    const startStrings = Array.from(ends, (e) => iso(e - look));
    const endStrings = Array.from(ends, (e) => iso(e));
    const typed = typedBounds(Float64Array.from(all, (b) => b.time));
    const methods: { name: keyof typeof runs; n: number; isAsync: boolean; op: SyncOp | AsyncOp }[] = [
      { name: 'array', n: ops, isAsync: false, op: (i) => {
        const end = ends[i & 4095]!;
        return all.slice(lowerBound(all, end - look), upperBound(all, end)).length;
      } },
      { name: 'typed', n: ops, isAsync: false, op: (i) => {
        const end = ends[i & 4095]!;
        return all.slice(typed.lower(end - look), typed.upper(end)).length;
      } },
      { name: 'peek', n: ops, isAsync: false, op: (i) => {
        const end = ends[i & 4095]!;
        return cache.peekBars({ symbol: 'TENY', interval: '1d', start: end - look, end })!.length;
      } },
      { name: 'peekString', n: ops, isAsync: false, op: (i) => {
        const k = i & 4095;
        return cache.peekBars({ symbol: 'TENY', interval: '1d', start: startStrings[k]!, end: endStrings[k]! })!.length;
      } },
      { name: 'getBars', n: ops / 4, isAsync: true, op: async (i) => {
        const end = ends[i & 4095]!;
        return (await cache.getBars({ symbol: 'TENY', interval: '1d', start: end - look, end })).length;
      } },
    ];
    const runs = { array: [] as number[], typed: [] as number[], peek: [] as number[], peekString: [] as number[], getBars: [] as number[] };
    for (let r = -1; r < repeats; r++) {
      for (const m of methods) {
        const ns = await round(m.n, m.op, m.isAsync);
        if (r >= 0) runs[m.name].push(ns);
      }
    }
    session.release();
    const arrayNs = median(runs.array);
    const typedArrayNs = median(runs.typed);
    const peekNs = median(runs.peek);
    const getBarsNs = median(runs.getBars);
    const peekStringNs = median(runs.peekString);
    return {
      seriesBars: all.length,
      lookbackDays: 30,
      ops,
      repeats,
      arrayNs,
      typedArrayNs,
      peekNs,
      getBarsNs,
      peekStringNs,
      peekRatio: peekNs / arrayNs,
      peekTypedRatio: peekNs / typedArrayNs,
      getBarsRatio: getBarsNs / arrayNs,
      stringRatio: peekStringNs / peekNs,
    };
  } finally {
    await cache.close();
  }
}
