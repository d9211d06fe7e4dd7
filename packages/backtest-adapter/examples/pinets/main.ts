/**
 * `pnpm example:pinets`: a Pine indicator with request.security on SPY (daily and weekly), run by
 * PineTS on two years of daily bars of a few symbols with Barcache as its data hook, twice: cold,
 * then warm in a new process on the same cache dir. Prints the plots' last values and the cache's
 * stats. Without a network it says so and uses LOCAL SYNTHETIC data from a loopback
 * Yahoo-compatible server (the same one the tests and `pnpm demo` use).
 */
import { fork } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { startYahooChartServer } from '@barcache/test-support';
import type { ExampleConfig, ExampleRun } from './example-config.js';

const NOISE = /Unsupported environment|Requires Node >= 22|yahoo-finance2/i;

/** True when Yahoo's chart host resolves within `capMs`. */
async function online(capMs = 2000): Promise<boolean> {
  const cap = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), capMs).unref());
  return Promise.race([lookup('query1.finance.yahoo.com').then(() => true, () => false), cap]);
}

function runInChild(config: ExampleConfig, label: string): Promise<ExampleRun> {
  const child = fork(fileURLToPath(new URL('./run.ts', import.meta.url)), [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim() !== '' && !NOISE.test(line)) out.write(`${line}\n`);
    });
  }
  return new Promise((resolve, reject) => {
    let answer: { ok: boolean; result?: ExampleRun; error?: string } | undefined;
    child.on('message', (m) => (answer = m as typeof answer));
    child.on('error', reject);
    child.on('exit', (code) => (answer?.ok && answer.result ? resolve(answer.result) : reject(new Error(`${label} run failed (exit ${code}): ${answer?.error ?? 'no result'}`))));
    child.send({ config, label });
  });
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? 'na' : Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(2) : v.toFixed(4));

function printRun(run: ExampleRun): void {
  const names = Object.keys(run.symbols[0]?.last ?? {});
  const table = new Table({ head: ['last bar', ...names], style: { head: [], border: [] } });
  for (const s of run.symbols) table.push([`${s.symbol} (${s.bars} bars)`, ...names.map((n) => fmt(s.last[n]))]);
  console.log(`\n${run.label} run: the plots' last values`);
  console.log(table.toString());
  console.log(
    `  provider calls ${run.providerCalls} · prefetch: ${run.prefetchSources.join(', ')}\n` +
      `  PineTS getMarketData calls ${run.marketDataCalls}, cache reads while the scripts ran ${run.runRequests}, of which L1 hits ${run.runL1Hits}` +
      ` · L1 ${(run.l1Bytes / 1024).toFixed(0)} KiB · ${run.wallMs.toFixed(0)} ms open → last plot`,
  );
}

async function main(): Promise<void> {
  const symbols = ['AAPL', 'MSFT', 'NVDA'];
  let range = { start: '2023-01-03', end: '2024-12-31' };
  let server: Awaited<ReturnType<typeof startYahooChartServer>> | undefined;
  // BARCACHE_EXAMPLE_SYNTHETIC=1 forces the local synthetic data (the example's test sets it).
  if (process.env.BARCACHE_EXAMPLE_SYNTHETIC !== '1' && (await online())) {
    const day = (t: number) => new Date(t).toISOString().slice(0, 10);
    const yesterday = Date.now() - 86_400_000;
    range = { start: day(yesterday - 730 * 86_400_000), end: day(yesterday) };
    console.log('Yahoo Finance is reachable: this example runs on real market data.');
  } else {
    console.log(
      'Yahoo Finance is unreachable (no network): this example runs on LOCAL SYNTHETIC data served by a loopback Yahoo-compatible server, not market data.',
    );
    server = await startYahooChartServer();
  }
  const ownDir = process.env.BARCACHE_DIR ? undefined : mkdtempSync(join(tmpdir(), 'barcache-pinets-example-'));
  const dir = ownDir ?? process.env.BARCACHE_DIR!;
  const config: ExampleConfig = { dir, symbols, ...range, ...(server && { baseUrl: server.url }) };
  console.log(
    `PineTS · relative-strength.pine (request.security("SPY", "D") and ("SPY", "W")) · ${symbols.join(' ')} · ${range.start} → ${range.end} · daily` +
      (server ? ' · SYNTHETIC DATA (local loopback server)' : ''),
  );
  try {
    const cold = await runInChild(config, 'cold');
    printRun(cold);
    const warm = await runInChild(config, 'warm (new process)');
    printRun(warm);
    const same = JSON.stringify(cold.symbols) === JSON.stringify(warm.symbols);
    console.log(`\nProvider calls: ${cold.providerCalls} cold (one per series), ${warm.providerCalls} warm. Plots identical cold and warm: ${same ? 'yes' : 'NO'}.`);
    console.log(`cache dir: ${dir}${ownDir ? ' (temporary, removed now; set BARCACHE_DIR to keep it)' : ''}`);
    if (!same) process.exitCode = 1;
  } finally {
    await server?.close();
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
