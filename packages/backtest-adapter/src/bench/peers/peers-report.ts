import Table from 'cli-table3';
import type { PeersReport } from './peers-bench.js';

const compact = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

export function formatPeers(r: PeersReport): string {
  const table = new Table({
    head: ['warm load from disk into typed-array columns', 'wall', 'vs raw floor', 'cpu', 'vs raw floor', 'disk B/bar', 'held B/bar'],
    style: { head: [], border: [] },
    chars: compact,
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const p of [...r.peers].sort((a, b) => a.loadMs - b.loadMs)) {
    const name = p.id === 'barcache' ? `${p.label}  (target ≤ 1.5×: ${p.ratio <= 1.5 ? 'ok' : 'MISSED'})` : p.label;
    table.push([name, `${p.loadMs.toFixed(0)} ms`, `${p.ratio.toFixed(2)}×`, `${p.cpuMs.toFixed(0)} ms`, `${p.cpuRatio.toFixed(2)}×`, p.diskBytesPerBar.toFixed(1), p.heldBytesPerBar.toFixed(1)]);
  }
  const note =
    `${r.symbols} symbols × ${r.years} years of daily bars (${r.bars.toLocaleString('en-US')} bars), every peer in a fresh process per run, ` +
    `files warm in the page cache, library imported before the clock starts; median of ${r.repeats}, peers interleaved; ` +
    `wall = elapsed time of the load, cpu = user + system time of the load's process (all threads), steadier on a shared machine. ` +
    `disk = files' bytes after writing; held = heap + ArrayBuffers after the load and a gc. ` +
    `Same values loaded by every peer: ${r.identical ? 'yes' : 'NO'}`;
  return `${table.toString()}\n${note}`;
}
