// A warm load big enough to be pre-faulted, in a process of its own: fills a dir, then loads it
// again with `memory.prefault` on and off, and prints what the columns were backed by and a
// checksum of every value. The process must then end by itself (the worker thread never holds it).
// Which way the load was prepared (huge pages or a worker's touches) follows the machine and
// BARCACHE_HUGE_PAGES; the process says which, and how much of its memory the kernel backed
// with huge pages.
import { readFileSync } from 'node:fs';
import { openCache, type BarCache, type BarProvider, type PrefetchReport } from '../../src/index.js';
import { hugePages } from '../../src/tiers/memory/huge-pages.js';
import { yahooLikeDaily } from '../synthetic-series.js';

const [dir, countArg] = process.argv.slice(2);
const SYMBOLS = Array.from({ length: Number(countArg) }, (_, i) => `PF${i}`);
const START = Date.UTC(2014, 0, 2);
const END = Date.UTC(2023, 11, 29);
const NOW = Date.UTC(2025, 0, 6);
const bars = new Map(SYMBOLS.map((s, i) => [s, yahooLikeDaily(10, i + 1, START)]));
let calls = 0;
const provider: BarProvider = {
  name: 'prefault-test',
  fetchBars: async (req) => {
    calls++;
    return { bars: bars.get(req.symbol)!.filter((b) => b.time >= req.start && b.time < req.end) };
  },
};
const plan = { symbols: SYMBOLS, interval: '1d' as const, start: START, end: END, lookback: { bars: 30 } };

const otherDir = `${dir}/other`;
for (const d of [dir!, otherDir]) {
  const fill = await openCache({ dir: d, provider, now: () => NOW, statsSnapshots: false });
  await fill.prefetch(plan);
  await fill.close();
}
// Daily bars without an adjusted close (a CSV export): six columns, told by the blocks' index.
const noAdjDir = `${dir}/no-adj-close`;
const noAdjProvider: BarProvider = {
  name: 'prefault-test',
  fetchBars: async (req) => ({
    bars: bars
      .get(req.symbol)!
      .filter((b) => b.time >= req.start && b.time < req.end)
      .map(({ adjClose: _dropped, ...b }) => b),
  }),
};
{
  const fill = await openCache({ dir: noAdjDir, provider: noAdjProvider, now: () => NOW, statsSnapshots: false });
  await fill.prefetch(plan);
  await fill.close();
}
const callsAfterFill = calls;

const open = (at: string, prefault: boolean) => openCache({ dir: at, provider, now: () => NOW, statsSnapshots: false, memory: { maxBytes: 2 ** 30, prefault } });

async function load(prefault: boolean, asFollower = false) {
  // A follower: another cache in this process leads the dir and serves its reads.
  const leader = asFollower ? await openCache({ dir: dir!, provider, now: () => NOW, statsSnapshots: false }) : undefined;
  const cache = await open(dir!, prefault);
  const { report } = await cache.prefetch(plan);
  const result = await measure(cache, report);
  await leader?.close();
  return result;
}

/** Bytes of anonymous memory the kernel backs with huge pages in this process (0 off Linux). */
function anonHugeBytes(): number {
  try {
    return Number(/AnonHugePages:\s+(\d+) kB/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * What the cache's windows are backed by, and a checksum of every value; closes the cache.
 * `shared`: series whose columns are in a reserved buffer (a SharedArrayBuffer, either way).
 */
async function measure(cache: BarCache, report: PrefetchReport) {
  let shared = 0;
  let sum = 0;
  let count = 0;
  for (const symbol of SYMBOLS) {
    const w = cache.peekColumns({ symbol, interval: '1d', start: report.symbols[0]!.start, end: END })!;
    if (w.close.buffer instanceof SharedArrayBuffer) shared++;
    for (const col of [w.time, w.open, w.high, w.low, w.close, w.volume, ...(w.adjClose ? [w.adjClose] : [])]) {
      for (let i = 0; i < col.length; i++) sum = (sum * 31 + col[i]! * (i + 1)) % 1e15;
      count += col.length;
    }
  }
  // Read while the columns are still held: once the cache closes, a GC may free them.
  const hugeBytes = anonHugeBytes();
  await cache.close();
  return { shared, sum, count, failed: report.failed.length, hugeBytes };
}

const hugeBefore = anonHugeBytes();
const on = await load(true);
const off = await load(false);
const follower = await load(true, true);
// Two caches in one process loading at once, one with prefault off: each keeps its own buffers.
const [onCache, offCache] = await Promise.all([open(dir!, true), open(otherDir, false)]);
const [onSession, offSession] = await Promise.all([onCache.prefetch(plan), offCache.prefetch(plan)]);
const [alongsideOn, offBeside] = await Promise.all([measure(onCache, onSession.report), measure(offCache, offSession.report)]);
const noAdjCache = await openCache({ dir: noAdjDir, provider: noAdjProvider, now: () => NOW, statsSnapshots: false, memory: { maxBytes: 2 ** 30 } });
const noAdjClose = await measure(noAdjCache, (await noAdjCache.prefetch(plan)).report);
process.stdout.write(`${JSON.stringify({ hugePages: hugePages()?.mode ?? null, hugeBytesGained: on.hugeBytes - hugeBefore, symbols: SYMBOLS.length, on, off, follower, offBeside, alongsideOn, noAdjClose, providerCallsWarm: calls - callsAfterFill })}\n`);
