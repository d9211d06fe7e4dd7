// A process using a shared cache dir through openCache, the real YahooProvider and the loopback
// Yahoo server; it checks every answer against the synthetic bars that server serves.
//   seed <dir> <baseUrl> <symbols,>          the seed workload (prefetch, then 62 days × (bar + 30-day lookback) + 1); prints "done <json>"
//   warm-read <dir> <baseUrl> <symbols,> <n> [pause]  n rounds of getBars over shifting multi-year ranges; prints "progress i" after
//                                            each, then "done <json>"; with `pause` = k, after round k (-1: before the first) it
//                                            prints "paused" and waits for a line on stdin
//   lead <dir> <baseUrl>                     opens the cache (so it leads), prints "ready <pid>", then warms W0, W1, … until killed
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { syntheticDailyBars, tradingDays } from '../../../test-support/src/index.js';
import { openCache, YahooProvider, type Bar } from '../../src/index.js';

const DAY = 86_400_000;
const [mode, dir, baseUrl, symbolList, rounds, pause] = process.argv.slice(2);
const symbols = (symbolList ?? '').split(',').filter(Boolean);
const provider = new YahooProvider({ baseUrl: baseUrl!, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 10_000 });
const cache = await openCache({ dir: dir!, provider, processLabel: `shared-dir-worker ${mode}`, statsSnapshots: false });
const say = (line: string) => process.stdout.write(`${line}\n`);
say('opened');
/** The leader pids leader.json named after each round (warm-read). */
const leaders = new Set<number>();

let requests = 0;
let mismatches = 0;
function check(symbol: string, start: number, end: number, bars: Bar[]): void {
  requests++;
  // Day-aligned bounds for the generator (it memoises its walk by the ends it was asked for).
  const truth = syntheticDailyBars({ symbol, start: Math.floor(start / DAY) * DAY, end: (Math.floor(end / DAY) + 1) * DAY }).filter((b) => b.time >= start && b.time <= end);
  if (JSON.stringify(bars) !== JSON.stringify(truth)) {
    mismatches++;
    const i = bars.findIndex((b, k) => JSON.stringify(b) !== JSON.stringify(truth[k]));
    const at = (b: Bar | undefined) => JSON.stringify(b);
    say(`mismatch ${symbol} ${new Date(start).toISOString()} ${new Date(end).toISOString()} got ${bars.length} want ${truth.length}; first difference at ${i}: got ${at(bars[i])} want ${at(truth[i])}`);
  }
}

if (mode === 'seed') {
  const days = tradingDays('2024-07-01', Date.parse('2024-09-27T00:00:00Z'));
  await cache.prefetch({ symbols, interval: '1d', start: days[0]!, end: days.at(-1)!, lookback: { days: 30 } });
  for (const now of days) {
    await Promise.all(
      symbols.map(async (symbol) => {
        check(symbol, now, now, await cache.getBars({ symbol, interval: '1d', start: now, end: now }));
        check(symbol, now - 30 * DAY, now, await cache.getBars({ symbol, interval: '1d', start: now - 30 * DAY, end: now }));
      }),
    );
  }
  for (const symbol of symbols) check(symbol, days[0]!, days.at(-1)!, await cache.getBars({ symbol, interval: '1d', start: days[0]!, end: days.at(-1)! }));
} else if (mode === 'warm-read') {
  const n = Number(rounds ?? 4);
  const pauseAfter = pause === undefined ? NaN : Number(pause);
  const hold = async () => {
    say('paused');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    process.stdin.pause();
  };
  if (pauseAfter === -1) await hold();
  for (let i = 0; i < n; i++) {
    await Promise.all(
      symbols.map(async (symbol, k) => {
        const from = Date.UTC(2004 + ((i + k) % 12), 0, 1);
        const to = from + 3 * 365 * DAY;
        check(symbol, from, to, await cache.getBars({ symbol, interval: '1d', start: from, end: to }));
      }),
    );
    try {
      leaders.add((JSON.parse(readFileSync(path.join(dir!, 'leader.json'), 'utf8')) as { pid: number }).pid);
    } catch {
      // between leaders
    }
    say(`progress ${i}`);
    if (i === pauseAfter) await hold();
  }
} else if (mode === 'lead') {
  say(`ready ${process.pid}`);
  for (let i = 0; ; i++) {
    const symbol = `LEAD${i}`;
    const from = Date.UTC(2010, 0, 1);
    const to = Date.UTC(2020, 0, 1);
    check(symbol, from, to, await cache.getBars({ symbol, interval: '1d', start: from, end: to }));
  }
}
const stats = cache.stats();
await cache.close();
say(`done ${JSON.stringify({ requests, mismatches, providerCalls: stats.provider.calls, pid: process.pid, leaders: [...leaders] })}`);
