/**
 * `pnpm bench [--json [file]] [--latency ms] [--large-symbols n] [--repeats n] [--skip-micro]
 *             [--only workloads,lookback,backtest,load,peers,shared,redis,import] [--peer-symbols n] [--peer-repeats n] [--peers id,…] [--peer-dir dir]
 *             [--import-processes n]`
 * Side by side on the same workloads: no cache, an exact-key memo, a gap-filling cache without
 * prefetch, and Barcache; then cache-core's micro figures; then the peers (what a user would pick
 * instead of Barcache) loading the same bars from disk. Progress goes to stderr.
 * Quick peers-only run: `pnpm bench --only peers --peer-symbols 50 --peer-repeats 3`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCache, YahooProvider } from '@barcache/cache-core';
import { startLoopbackServer } from './loopback.js';
import { machineFacts } from './machine.js';
import { lookbackMicro } from './lookback-micro.js';
import type { BacktestFigures } from './backtest-micro.js';
import { runJsonProcess } from './json-process.js';
import { loadMicro } from './micro.js';
import { peersBench } from './peers/peers-bench.js';
import { sharedTierBench } from './shared-tier-bench.js';
import { formatReport, type BenchReport, type WorkloadReport } from './report.js';
import { runWorkload, type WorkloadResult } from './runner.js';
import { formatSharedDir, sharedDirBench, type SharedDirFigures } from './shared-dir-bench.js';
import { formatImport, importBench, type ImportFigures } from './import-bench.js';
import { BarcacheSource } from './sources/barcache-source.js';
import type { BenchSource } from './sources/bench-source.js';
import { CountingProvider } from './sources/counting-provider.js';
import { ExactMemoSource } from './sources/exact-memo.js';
import { GapFillingCacheSource } from './sources/gap-filling-cache.js';
import { NoCacheSource } from './sources/no-cache.js';
import { SimulatedProvider } from './sources/simulated-provider.js';
import { FIFTY_SYMBOLS, largeWorkload, seedWorkload, type Workload } from './workloads.js';

interface Args {
  json: boolean;
  jsonFile?: string;
  latencyMs: number;
  largeSymbols: number;
  repeats: number;
  micro: boolean;
  concurrency: number;
  sections: Set<Section>;
  peerSymbols: number;
  peerRepeats: number;
  /** Peers to run besides the raw-file floor (all by default). */
  peers?: string[];
  /** Where the peers' data is written and kept between runs (default: a temp dir removed after the run). */
  peerDir?: string;
  /** Fresh processes per target in the import section. */
  importProcesses: number;
}

type Section = 'workloads' | 'lookback' | 'backtest' | 'load' | 'peers' | 'shared' | 'redis' | 'import';
const SECTIONS: readonly Section[] = ['workloads', 'lookback', 'backtest', 'load', 'peers', 'shared', 'redis', 'import'];

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, latencyMs: 20, largeSymbols: 50, repeats: 3, micro: true, concurrency: 50, sections: new Set(SECTIONS), peerSymbols: 500, peerRepeats: 7, importProcesses: 15 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') {
      args.json = true;
      if (argv[i + 1] && !argv[i + 1]!.startsWith('--')) args.jsonFile = next();
    } else if (a.startsWith('--json=')) {
      args.json = true;
      args.jsonFile = a.slice(7);
    } else if (a === '--latency') args.latencyMs = Number(next());
    else if (a === '--large-symbols') args.largeSymbols = Number(next());
    else if (a === '--repeats') args.repeats = Number(next());
    else if (a === '--concurrency') args.concurrency = Number(next());
    else if (a === '--skip-micro') args.micro = false;
    else if (a === '--only') {
      // 'micro' = lookback + backtest + load (cache-core's micro figures).
      const only = next()
        .split(',')
        .flatMap((x) => (x === 'micro' ? ['lookback', 'backtest', 'load'] : [x]));
      const bad = only.find((x) => !SECTIONS.includes(x as Section));
      if (bad !== undefined) throw new Error(`--only: unknown section ${bad} (sections: ${SECTIONS.join(', ')})`);
      args.sections = new Set(only as Section[]);
    } else if (a === '--peer-symbols') args.peerSymbols = Number(next());
    else if (a === '--peer-repeats') args.peerRepeats = Number(next());
    else if (a === '--peers') args.peers = next().split(',');
    else if (a === '--peer-dir') args.peerDir = next();
    else if (a === '--import-processes') args.importProcesses = Number(next());
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

const log = (s: string) => process.stderr.write(`${s}\n`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.micro) {
    args.sections.delete('lookback');
    args.sections.delete('backtest');
    args.sections.delete('load');
  }
  const server = await startLoopbackServer(args.latencyMs);
  const tmp = mkdtempSync(join(tmpdir(), 'barcache-bench-'));
  const provider = new CountingProvider(new YahooProvider({ baseUrl: server.url, concurrency: args.concurrency }));
  const simulated = new CountingProvider(new SimulatedProvider(args.latencyMs, args.concurrency));
  let dirs = 0;
  const freshDir = () => join(tmp, `cache-${dirs++}`);

  const makeSources = (p: CountingProvider): (() => Promise<BenchSource>)[] => [
    async () => new NoCacheSource(p),
    async () => new ExactMemoSource(p),
    async () => new GapFillingCacheSource(p),
    async () => new BarcacheSource(await openCache({ dir: freshDir(), provider: p, statsSnapshots: false })),
  ];

  const report: BenchReport = {
    machine: machineFacts(),
    config: { latencyMs: args.latencyMs, providerConcurrency: args.concurrency, largeSymbols: args.largeSymbols },
    workloads: [],
    micro: {},
    sections: [...args.sections],
  };

  let loadDir: string | undefined;
  let sharedDir: SharedDirFigures | undefined;
  let importFigures: ImportFigures | undefined;
  try {
    // The nanosecond figures first, in a process that has done nothing else yet (the toy backtest
    // in one of its own): after the workloads' 100k requests (a large heap, and the cache's code
    // compiled for other callers) the same lookback measured up to 20% slower.
    if (args.sections.has('lookback')) {
      log('micro: 30-day lookback on a resident 10-year series');
      report.micro.lookback = await lookbackMicro(freshDir(), provider);
    }
    if (args.sections.has('backtest')) {
      log('micro: toy backtest, 50 symbols × 2 years, SMA 10/30 on a 30-bar lookback every day');
      // In a fresh process, as a user's backtest runs (backtest-process.ts says why).
      report.micro.backtest = await runJsonProcess<BacktestFigures>('./backtest-process.js', { dir: freshDir(), concurrency: args.concurrency });
    }
    const workloads: [Workload, number, CountingProvider, string][] = [
      [seedWorkload(), args.repeats, provider, 'YahooProvider → loopback server'],
      [largeWorkload(FIFTY_SYMBOLS.slice(0, args.largeSymbols)), 1, simulated, 'in-process simulated provider'],
    ];
    for (const [w, repeats, p, via] of args.sections.has('workloads') ? workloads : []) {
      log(`workload ${w.id}: ${w.requests.toLocaleString('en-US')} requests`);
      const results: WorkloadResult[] = [];
      for (const make of makeSources(p)) {
        const runs: WorkloadResult[] = [];
        for (let r = 0; r < repeats; r++) {
          // A fresh, cold instance for every run, opened and closed inside the timed span.
          runs.push(await runWorkload(make, w, p));
        }
        const mid = {
          ...runs[0]!,
          wallMs: median(runs.map((x) => x.wallMs)),
          openMs: median(runs.map((x) => x.openMs)),
          closeMs: median(runs.map((x) => x.closeMs)),
        };
        log(`  ${mid.label}: ${mid.providerCalls} calls, ${mid.barDays} bar-days, ${mid.wallMs.toFixed(0)} ms (open ${mid.openMs.toFixed(0)} ms, close ${mid.closeMs.toFixed(0)} ms)`);
        results.push(mid);
      }
      const first = results[0]!;
      const wr: WorkloadReport = {
        id: w.id,
        title: w.title,
        provider: via,
        requests: w.requests,
        repeats,
        results,
        identicalAnswers: results.every((r) => r.barsReturned === first.barsReturned && r.checksum === first.checksum),
      };
      report.workloads.push(wr);
    }

    if (args.sections.has('load')) {
      log('micro: 500 symbols × 10 years, fill then L2 → L1 load');
      // The fill is not measured: the in-process provider (no latency) stands in for 500 long yahoo-finance2 calls.
      report.micro.load = await loadMicro((loadDir = freshDir()), new SimulatedProvider(0, args.concurrency), 500, log);
    }
    if (args.sections.has('shared')) {
      log('shared cache dir: follower vs leader load, 8 processes × the seed workload');
      sharedDir = await sharedDirBench({ tmp: freshDir(), serverUrl: server.url, fillProvider: new SimulatedProvider(0, args.concurrency), warmDir: loadDir, log });
    }

    if (args.sections.has('peers')) {
      log(`peers: ${args.peerSymbols} symbols × 10 years, warm load from disk, ${args.peerRepeats} fresh processes each`);
      report.peers = await peersBench(args.peerDir ?? join(tmp, 'peers'), { symbols: args.peerSymbols, repeats: args.peerRepeats, only: args.peers, log });
    }

    if (args.sections.has('import')) {
      log(`import: ${args.importProcesses} fresh processes each importing nothing, level, @barcache/cache-core`);
      importFigures = await importBench({ processes: args.importProcesses, log });
    }

    if (args.sections.has('redis')) {
      const redis = await sharedTierBench({ latencyMs: args.latencyMs, log });
      if (redis !== undefined) report.redis = redis;
    }
  } finally {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }

  const json = JSON.stringify({ ...report, ...(sharedDir ? { sharedDir } : {}), ...(importFigures ? { import: importFigures } : {}) }, null, 2);
  if (args.json && !args.jsonFile) {
    process.stdout.write(`${json}\n`);
    return;
  }
  console.log(formatReport(report));
  if (sharedDir) console.log(`\n${formatSharedDir(sharedDir)}`);
  if (importFigures) console.log(`\n${formatImport(importFigures)}`);
  if (args.jsonFile) {
    writeFileSync(args.jsonFile, `${json}\n`);
    console.log(`\nfigures written to ${args.jsonFile}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
