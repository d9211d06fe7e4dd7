import type { SharedTierBenchResult } from './shared-tier-bench.js';
import Table from 'cli-table3';
import type { MachineFacts } from './machine.js';
import type { LoadFigures } from './micro.js';
import type { LookbackFigures } from './lookback-micro.js';
import type { BacktestFigures } from './backtest-micro.js';
import type { WorkloadResult } from './runner.js';
import type { PeersReport } from './peers/peers-bench.js';
import { formatPeers } from './peers/peers-report.js';

export interface WorkloadReport {
  id: string;
  title: string;
  /** What answered the provider calls. */
  provider: string;
  requests: number;
  /** Median over `repeats` runs of each source. */
  repeats: number;
  results: WorkloadResult[];
  /** All sources returned the same bars to the engine. */
  identicalAnswers: boolean;
}

export interface BenchReport {
  machine: MachineFacts;
  config: { latencyMs: number; providerConcurrency: number; largeSymbols: number };
  workloads: WorkloadReport[];
  micro: { lookback?: LookbackFigures; backtest?: BacktestFigures; load?: LoadFigures };
  /** The sections that ran (`--only`). */
  sections: string[];
  peers?: PeersReport;
  /** The shared team tier on Redis (`--only redis`). */
  redis?: SharedTierBenchResult;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 1 : 0)} ms`);
const ratio = (x: number, base: number) => (base === 0 ? (x === 0 ? '1×' : '∞') : `${(x / base).toFixed(x / base >= 10 ? 0 : 1)}×`);
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
const compact = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

export function formatWorkload(w: WorkloadReport): string {
  const base = w.results.find((r) => r.source === 'barcache');
  const table = new Table({
    head: ['', 'provider calls', 'bar-days fetched', 'wall time', 'calls vs Barcache', 'bar-days vs Barcache', 'time vs Barcache'],
    style: { head: [], border: [] },
    chars: compact,
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const r of w.results) {
    table.push([
      r.label,
      n(r.providerCalls),
      n(r.barDays),
      ms(r.wallMs),
      base ? ratio(r.providerCalls, base.providerCalls) : '',
      base ? ratio(r.barDays, base.barDays) : '',
      base ? ratio(r.wallMs, base.wallMs) : '',
    ]);
  }
  const bc = base ? `; Barcache's includes openCache ${ms(base.openMs)} and close ${ms(base.closeMs)}` : '';
  const note =
    `${n(w.requests)} requests; wall time = open → close of a fresh source, median of ${w.repeats} run${w.repeats === 1 ? '' : 's'}${bc}; ` +
    `answers identical across sources: ${w.identicalAnswers ? 'yes' : 'NO'}`;
  return `${w.title} · via ${w.provider}\n${table.toString()}\n${note}`;
}

export function formatMicro(m: BenchReport['micro']): string {
  const table = new Table({
    head: ['cache-core micro figure', 'measured', 'target', ''],
    style: { head: [], border: [] },
    chars: compact,
  });
  const ok = (pass: boolean) => (pass ? 'ok' : 'MISSED');
  const l = m.lookback;
  if (l) {
    table.push(
      [`30-day lookback, resident ${n(l.seriesBars)}-bar series: peekBars`, `${l.peekNs.toFixed(0)} ns/op = ${l.peekRatio.toFixed(2)}× A, ${l.peekTypedRatio.toFixed(2)}× B`, '≤ 1.3× A', ok(l.peekRatio <= 1.3)],
      ['  … getBars (async, awaited)', `${l.getBarsNs.toFixed(0)} ns/op = ${l.getBarsRatio.toFixed(2)}× A`, '≤ 2× A', ok(l.getBarsRatio <= 2)],
      ["  … peekBars with 'YYYY-MM-DD' start/end", `${l.peekStringNs.toFixed(0)} ns/op = ${l.stringRatio.toFixed(2)}× epoch ms`, '≤ 1.5×', ok(l.stringRatio <= 1.5)],
      ['  A: two binary searches on a preloaded Bar[] + slice', `${l.arrayNs.toFixed(0)} ns/op`, '', ''],
      ['  B: two binary searches on a Float64Array of times + Bar[].slice', `${l.typedArrayNs.toFixed(0)} ns/op`, '', ''],
    );
  }
  const b = m.backtest;
  if (b) {
    table.push(
      [`toy backtest, ${b.symbols} symbols × ${n(b.days)} days, SMA 10/30 on a ${b.lookbackBars}-bar lookback: peekColumns`, `${ms(b.peekColumnsMs)}; ${b.columnsRatio.toFixed(2)}× C per round`, '≤ 1.2× C', ok(b.columnsRatio <= 1.2)],
      ['  … one peekColumns window per symbol, sliced per day', `${ms(b.columnsOnceMs)}; ${b.columnsOnceRatio.toFixed(2)}× C per round`, '', ''],
      ['  … getBars (awaited rows)', `${ms(b.getBarsMs)}; ${b.getBarsRatio.toFixed(2)}× C per round`, '', ''],
      ['  C: typed-array views (subarray) of raw columns, binary search', ms(b.baselineMs), '', ''],
      ['  same signals from every variant', b.identical ? 'yes' : 'NO', '', ok(b.identical)],
    );
  }
  const d = m.load;
  if (d) {
    table.push(
      [`L2 → L1 load, ${d.symbols} symbols × ${d.years} y (${n(d.bars)} bars)`, `${(d.barsPerSecond / 1e6).toFixed(2)} M bars/s (median ${ms(d.loadMs)} of ${d.loadRunsMs.map(ms).join(', ')})`, '≥ 2 M/s', ok(d.barsPerSecond >= 2e6)],
      ['  provider calls during the load', n(d.loadProviderCalls), '0', ok(d.loadProviderCalls === 0)],
      ['bytes/bar on disk: store totalBytes (l2.bytes)', d.storeBytesPerBar.toFixed(1), '≤ 12.5', ok(d.storeBytesPerBar <= 12.5)],
      ['bytes/bar on disk: LevelDB dir after close', d.dirBytesPerBar.toFixed(1), '', ''],
      [`memory, columns only: stats().l1.bytes`, `${mb(d.l1Bytes)} = ${(d.l1Bytes / d.bars).toFixed(1)} B/bar`, '≤ 60 B/bar', ok(d.l1Bytes / d.bars <= 60)],
      ['  heap + ArrayBuffers held after gc (growth) / RSS growth', `${mb(d.heapDeltaBytes)} / ${mb(d.rssDeltaBytes)}`, 'l1 within 10%', ok(Math.abs(d.l1Bytes / d.heapDeltaBytes - 1) <= 0.1)],
      ['memory, rows built (peekBars over every series): l1.bytes', `${mb(d.l1BytesWithRows)} = ${(d.l1BytesWithRows / d.bars).toFixed(1)} B/bar`, '', ''],
      ['  heap + ArrayBuffers held after gc (growth)', mb(d.heapDeltaWithRowsBytes), 'l1 within 10%', ok(Math.abs(d.l1BytesWithRows / d.heapDeltaWithRowsBytes - 1) <= 0.1)],
      [`  (cold fill first: ${n(d.fillProviderCalls)} provider calls, ${ms(d.fillMs)})`, '', '', ''],
    );
  }
  return table.toString();
}

export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const head =
    `Barcache bench · ${m.date.slice(0, 10)} · ${m.cpu} × ${m.cores} cores · ${m.memoryGiB} GiB · node ${m.node} · ${m.platform}\n` +
    `LOCAL SYNTHETIC data, ${r.config.latencyMs} ms simulated latency per provider call, at most ${r.config.providerConcurrency} calls in flight, ` +
    `the same provider for every row of a table.\n` +
    `Seed workload: the real YahooProvider (yahoo-finance2) against the loopback Yahoo chart server. Large workload: an in-process\n` +
    `provider serving the same synthetic bars after the same latency (yahoo-finance2 costs ms of CPU per call: 100k calls would measure the CPU).`;
  const parts = [head, ...r.workloads.map(formatWorkload)];
  if (r.micro.lookback !== undefined || r.micro.backtest !== undefined || r.micro.load !== undefined) parts.push(formatMicro(r.micro));
  if (r.peers !== undefined) parts.push(formatPeers(r.peers));
  if (r.redis !== undefined) parts.push(formatShared(r.redis));
  return parts.join('\n\n');
}

/** The shared-tier section: a cold worker's load from Redis beside a warm local disk and the provider. */
export function formatShared(s: SharedTierBenchResult): string {
  const table = new Table({
    head: ['cold start of a worker, ' + `${s.symbols} symbols × 10 y (${n(s.bars)} bars)`, 'load', 'vs warm local disk', 'provider calls'],
    style: { head: [], border: [] },
    chars: compact,
    colAligns: ['left', 'right', 'right', 'right'],
  });
  table.push(['empty disk ← shared tier (Redis on loopback)', ms(s.fromRedisMs), ratio(s.fromRedisMs, s.fromLocalDiskMs), String(s.providerCallsFromRedis)]);
  table.push(['warm local disk, no Redis', ms(s.fromLocalDiskMs), '1.0×', '0']);
  table.push(['empty disk ← provider, no Redis', ms(s.fromProviderMs), ratio(s.fromProviderMs, s.fromLocalDiskMs), String(s.providerCallsFromProvider)]);
  return (
    `${table.toString()}
` +
    `each load in a fresh process (open → prefetch), median of ${s.repeats}; ` +
    `Redis holds ${s.redisPayloadBytesPerBar.toFixed(1)} B/bar of blocks + meta (Redis's own MEMORY USAGE of the keys: ${s.redisKeysBytesPerBar.toFixed(1)} B/bar, target ≤ 13 ${s.redisKeysBytesPerBar <= 13 ? 'ok' : 'MISSED'}; used_memory growth ${s.redisMemoryBytesPerBar.toFixed(1)} B/bar, connection buffers and scripts included; the local disk ${s.localDiskBytesPerBar.toFixed(1)} B/bar); ` +
    `${s.roundTripsPerSeries.toFixed(1)} Redis round trips per series`
  );
}
