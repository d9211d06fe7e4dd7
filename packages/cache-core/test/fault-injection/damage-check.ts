/**
 * Shared by the fault-injection tests: a base cache built on real LevelDB files through the real
 * YahooProvider and the loopback server, and the check that every answer either equals the true
 * bars or is a coded error. The truth is the loopback server's synthetic bars.
 */
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { syntheticDailyBars, type YahooChartServer } from '@barcache/test-support';
import { isBarcacheError, openCache, YahooProvider, type BarCache, type OpenCacheOptions } from '@barcache/cache-core';

export const NOW = () => Date.parse('2025-03-03T21:00:00Z');
const utc = (d: string) => Date.parse(`${d}T00:00:00Z`);

/** What was warmed: the first three in the first session (they end up in .ldb tables), the rest in the second (the .log). */
export const WARMED: { symbol: string; from: string; to: string }[] = [
  { symbol: 'TBL1', from: '2012-01-01', to: '2016-12-31' },
  { symbol: 'TBL2', from: '2014-01-01', to: '2017-06-30' },
  { symbol: 'TBL3', from: '2010-01-01', to: '2013-12-31' },
  { symbol: 'LOG1', from: '2018-01-01', to: '2022-12-31' },
  { symbol: 'LOG2', from: '2019-01-01', to: '2024-06-30' },
  { symbol: 'LOG3', from: '2016-01-01', to: '2020-12-31' },
];

export function provider(server: YahooChartServer): YahooProvider {
  return new YahooProvider({ baseUrl: server.url, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 }, timeoutMs: 5000 });
}

export function open(dir: string, server: YahooChartServer, options: Partial<OpenCacheOptions> = {}): Promise<BarCache> {
  return openCache({ dir, provider: provider(server), now: NOW, statsSnapshots: false, lockTimeoutMs: 0, ...options });
}

/** Quarter by quarter, so the database holds many batches (and several versions of each block). */
async function warmQuarterly(cache: BarCache, w: (typeof WARMED)[number]): Promise<void> {
  const end = utc(w.to);
  for (let t = utc(w.from); t <= end; ) {
    const d = new Date(t);
    const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 3, 1);
    await cache.getBars({ symbol: w.symbol, interval: '1d', start: t, end: Math.min(next - 1, end) });
    t = next;
  }
}

/** Builds the base cache in `dir`: a first session (compacted into .ldb at the next open), then a second (left in the .log). */
export async function buildBase(dir: string, server: YahooChartServer): Promise<void> {
  let cache = await open(dir, server);
  for (const w of WARMED.slice(0, 3)) await warmQuarterly(cache, w);
  await cache.close();
  cache = await open(dir, server);
  for (const w of WARMED.slice(3)) await warmQuarterly(cache, w);
  await cache.close();
}

export function truth(symbol: string, from: string, to: string) {
  return syntheticDailyBars({ symbol, start: utc(from), end: utc(to) + 86_400_000 });
}

export interface Tally {
  equal: number;
  coded: number;
  /** Coded errors by code. */
  codes: Record<string, number>;
  /** Answers with fewer bars than exist and no error: the worst failure. */
  short: string[];
  /** Answers with other bars (or more) and no error, and uncoded errors. */
  wrong: string[];
}

export const emptyTally = (): Tally => ({ equal: 0, coded: 0, codes: {}, short: [], wrong: [] });

function countCode(tally: Tally, code: string): void {
  tally.coded++;
  tally.codes[code] = (tally.codes[code] ?? 0) + 1;
}

/** Asks for every warmed range and files each answer in `tally`. */
export async function checkAnswers(cache: BarCache, tally: Tally, label: string): Promise<void> {
  for (const w of WARMED) {
    const want = truth(w.symbol, w.from, w.to);
    let got;
    try {
      got = await cache.getBars({ symbol: w.symbol, interval: '1d', start: w.from, end: w.to });
    } catch (err) {
      if (isBarcacheError(err)) countCode(tally, err.code);
      else tally.wrong.push(`${label} ${w.symbol}: uncoded ${String(err)}`);
      continue;
    }
    if (got.length < want.length) tally.short.push(`${label} ${w.symbol}: ${got.length} of ${want.length} bars`);
    else if (JSON.stringify(got) !== JSON.stringify(want)) tally.wrong.push(`${label} ${w.symbol}: different bars`);
    else tally.equal++;
  }
}

/** Opens (offline, then online) and checks every answer; an open that fails must be coded. */
export async function checkDir(dir: string, server: YahooChartServer, tally: Tally, label: string): Promise<string[]> {
  const openErrors: string[] = [];
  for (const offline of [true, false]) {
    let cache: BarCache;
    try {
      cache = await open(dir, server, { offline });
    } catch (err) {
      if (isBarcacheError(err)) {
        countCode(tally, err.code);
        openErrors.push(err.code);
      } else tally.wrong.push(`${label}: open failed uncoded: ${String(err)}`);
      continue;
    }
    try {
      await checkAnswers(cache, tally, `${label}${offline ? ' offline' : ''}`);
    } finally {
      await cache.close().catch(() => undefined);
    }
  }
  return openErrors;
}

export async function copyDb(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true, filter: (src) => !['LOCK', 'owner.json'].includes(path.basename(src)) });
}
