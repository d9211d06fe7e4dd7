/**
 * One peer's job in a fresh Node process (so no run inherits another's heap, JIT or open files):
 *
 *   node --expose-gc peer-process.js '{"peer":"sqlite","op":"load","dir":…,"symbols":[…],"verify":true}'
 *
 * `write` fills `dir`; `load` imports the peer's library (untimed), then times the warm
 * disk-to-memory load and prints one JSON line (PeerLoadRun).
 */
import { performance } from 'node:perf_hooks';
import { peerById } from './all-peers.js';
import { checksumOf } from './peer-data.js';

interface PeerJob {
  peer: string;
  op: 'write' | 'load';
  dir: string;
  symbols: string[];
  /** Checksum every value after the load (untimed). */
  verify?: boolean;
}

export interface PeerLoadRun {
  /** Wall time of the load. */
  ms: number;
  /** CPU time of the load (user + system, every thread of the process): steadier than wall time on a busy machine. */
  cpuMs: number;
  checksum?: number;
  /** -1 when not counted (a peer that keeps its columns, without `verify`). */
  bars: number;
  /** Heap + ArrayBuffers held after the load, after gc, beyond what the process held before it. */
  heldBytes: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as PeerJob;
const peer = peerById(job.peer);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

if (job.op === 'write') {
  await peer.write(job.dir, job.symbols);
  process.stdout.write('{}\n');
} else {
  await peer.prepare?.();
  gc();
  const m0 = process.memoryUsage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const loaded = await peer.load(job.dir, job.symbols);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  gc();
  const m1 = process.memoryUsage();
  const heldBytes = m1.heapUsed + m1.arrayBuffers - (m0.heapUsed + m0.arrayBuffers);
  // Barcache's columns stay in its memory tier: take them out (untimed) only to verify.
  const series = typeof loaded !== 'function' ? loaded : job.verify ? loaded() : undefined;
  const sum = series === undefined ? undefined : checksumOf(series);
  const run: PeerLoadRun = { ms, cpuMs: (cpu.user + cpu.system) / 1000, bars: sum?.bars ?? -1, heldBytes, ...(job.verify && sum ? { checksum: sum.checksum } : {}) };
  await peer.close?.();
  process.stdout.write(`${JSON.stringify(run)}\n`);
}
