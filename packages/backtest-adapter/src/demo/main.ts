/**
 * `pnpm demo`: a real grademark backtest through Barcache, run twice (cold, then warm in a new
 * process on the same cache dir), summarised in one table. Without network it says so in one line
 * and runs on clearly labelled LOCAL SYNTHETIC data: the sample CSV files in demo-data/, served by
 * FileProvider through the same cache, ledger and prefetch (no server, no network).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DEMO_DATA_URL, type DemoConfig, type RunResult } from './demo-config.js';
import { yahooReachable } from './network-probe.js';
import { formatDemoTable } from './results-table.js';

const NOISE = /Unsupported environment|Requires Node >= 22|yahoo-finance2/i;

/** Runs one backtest in a child process; yahoo-finance2's Node-22 notice is kept out of the output. */
function runInChild(config: DemoConfig, label: string): Promise<RunResult> {
  const script = fileURLToPath(new URL('./backtest-run.js', import.meta.url));
  const t0 = performance.now();
  const child = fork(script, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const forward = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '' && !NOISE.test(line)) out.write(`${line}\n`);
    });
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  return new Promise((resolve, reject) => {
    let answer: { ok: boolean; result?: RunResult; error?: string } | undefined;
    child.on('message', (m) => (answer = m as typeof answer));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (answer?.ok && answer.result) resolve({ ...answer.result, processMs: performance.now() - t0 });
      else reject(new Error(`${label} run failed (exit ${code}): ${answer?.error ?? 'no result'}`));
    });
    child.send({ config, label });
  });
}

function relativeToCwd(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel === '' || rel.startsWith('..') ? p : rel;
}

function isoDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

async function main(): Promise<void> {
  // BARCACHE_DEMO_OFFLINE=1 skips the probe (tests: the same run with or without a network).
  const online = process.env.BARCACHE_DEMO_OFFLINE === '1' ? false : await yahooReachable(2000);
  const dataDir = fileURLToPath(DEMO_DATA_URL);
  const base = { symbols: ['AAPL', 'MSFT', 'NVDA'], market: 'SPY', lookbackPeriod: 30 };
  let range: { start: string; end: string };
  if (online) {
    const yesterday = Date.now() - 86_400_000;
    range = { start: isoDay(yesterday - 730 * 86_400_000), end: isoDay(yesterday) };
  } else {
    console.log(
      `Yahoo Finance is unreachable (no network): this demo runs on LOCAL SYNTHETIC data, not market data: the sample CSV files in ${relativeToCwd(dataDir)}, served by FileProvider (no network, no server).`,
    );
    range = { start: '2023-01-03', end: '2024-12-31' };
  }

  const ownDir = process.env.BARCACHE_DIR ? undefined : mkdtempSync(join(tmpdir(), 'barcache-demo-'));
  const dir = process.env.BARCACHE_DIR ?? ownDir!;
  const config: DemoConfig = { dir, synthetic: !online, ...(!online && { dataDir }), ...base, ...range };
  try {
    const cold = await runInChild(config, 'cold');
    const warm = await runInChild(config, 'warm');
    console.log(formatDemoTable(config, cold, warm));
    const note = cold.providerCalls === 0 ? ' (the cache dir already held this data, so the first run was not cold)' : '';
    console.log(`cache dir: ${dir}${ownDir ? ' (temporary, removed now; set BARCACHE_DIR to keep it)' : ''}${note}`);
  } finally {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
