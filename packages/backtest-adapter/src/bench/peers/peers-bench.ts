/**
 * The peers section of `pnpm bench`: the same generated bars written by every peer, then each
 * peer's warm disk-to-memory load timed in a fresh process, `repeats` times (peers interleaved, so
 * a slow spell of a shared machine hits all of them), medians and ratios against the raw-file floor.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEERS } from './all-peers.js';
import { peerSymbols } from './peer-data.js';
import type { PeerLoadRun } from './peer-process.js';

export interface PeerFigures {
  id: string;
  label: string;
  /** Median warm load, ms. */
  loadMs: number;
  loadRunsMs: number[];
  /** loadMs over the raw-file floor's. */
  ratio: number;
  /** Median CPU time (user + system) of the load, and its ratio to the floor's. */
  cpuMs: number;
  cpuRatio: number;
  diskBytes: number;
  diskBytesPerBar: number;
  /** Heap + ArrayBuffers held after the load (after gc), per bar; median. */
  heldBytesPerBar: number;
  checksum: number | undefined;
}

export interface PeersReport {
  symbols: number;
  years: number;
  bars: number;
  repeats: number;
  peers: PeerFigures[];
  /** Every peer loaded exactly the same values. */
  identical: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Bytes the files take on disk (the smaller of apparent and allocated size: sparse or preallocated files count what they hold). */
function diskBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += diskBytes(p);
    else {
      const st = statSync(p);
      total += Math.min(st.size, st.blocks * 512);
    }
  }
  return total;
}

function runPeerProcess(job: Record<string, unknown>): Promise<PeerLoadRun> {
  const script = fileURLToPath(new URL('./peer-process.js', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', script, JSON.stringify(job)], { maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`peer process (${String(job.peer)} ${String(job.op)}) failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as PeerLoadRun);
    });
  });
}

/**
 * Writes (once per `root`: a dir already written for the same symbol count is reused, so
 * `--peer-dir` can keep the data between runs) and loads every peer.
 */
export async function peersBench(root: string, options: { symbols: number; repeats: number; only?: string[]; log?: (s: string) => void }): Promise<PeersReport> {
  const log = options.log ?? (() => undefined);
  const symbols = peerSymbols(options.symbols);
  const wanted = PEERS.filter((p) => p.id === 'raw' || options.only === undefined || options.only.includes(p.id));
  // A peer whose package cannot load here (better-sqlite3's native binding is not built by
  // `pnpm install`: see docs/benchmark.md) is skipped with a line, not a crash.
  const peers: typeof wanted = [];
  for (const p of wanted) {
    try {
      await p.prepare?.();
      peers.push(p);
    } catch (err) {
      log(`  peers: ${p.id} SKIPPED, its package does not load here: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const dirs = new Map<string, string>();
  for (const p of peers) {
    const writer = p.dataOf ?? p.id;
    const dir = join(root, `${symbols.length}-symbols`, writer);
    dirs.set(p.id, dir);
    const done = `${dir}.written`;
    if (existsSync(done)) continue;
    mkdirSync(dir, { recursive: true });
    log(`  peers: writing ${writer}`);
    await runPeerProcess({ peer: writer, op: 'write', dir, symbols });
    writeFileSync(done, '');
  }
  const runs = new Map<string, PeerLoadRun[]>(peers.map((p) => [p.id, []]));
  for (let r = 0; r < options.repeats; r++) {
    // Each round starts one peer further on: a process's speed depends on what ran just before it
    // (the memory the last one freed must be faulted in afresh), so no peer always follows the same one.
    const order = peers.map((_, i) => peers[(i + r) % peers.length]!);
    for (const p of order) {
      const run = await runPeerProcess({ peer: p.id, op: 'load', dir: dirs.get(p.id), symbols, verify: r === 0 });
      runs.get(p.id)!.push(run);
    }
    log(`  peers: load round ${r + 1}/${options.repeats}: ${peers.map((p) => `${p.id} ${runs.get(p.id)![r]!.ms.toFixed(0)} ms`).join(', ')}`);
  }
  const bars = runs.get('raw')![0]!.bars;
  const floor = median(runs.get('raw')!.map((x) => x.ms));
  const cpuFloor = median(runs.get('raw')!.map((x) => x.cpuMs));
  const figures = peers.map((p): PeerFigures => {
    const rs = runs.get(p.id)!;
    const loadMs = median(rs.map((x) => x.ms));
    const disk = diskBytes(dirs.get(p.id)!);
    const cpuMs = median(rs.map((x) => x.cpuMs));
    return {
      id: p.id,
      label: p.label,
      loadMs,
      loadRunsMs: rs.map((x) => x.ms),
      ratio: loadMs / floor,
      cpuMs,
      cpuRatio: cpuMs / cpuFloor,
      diskBytes: disk,
      diskBytesPerBar: disk / bars,
      heldBytesPerBar: median(rs.map((x) => x.heldBytes)) / bars,
      checksum: rs[0]!.checksum,
    };
  });
  const sums = figures.map((f) => f.checksum);
  return {
    symbols: options.symbols,
    years: 10,
    bars,
    repeats: options.repeats,
    peers: figures,
    identical: sums.every((s) => s !== undefined && s === sums[0]),
  };
}
