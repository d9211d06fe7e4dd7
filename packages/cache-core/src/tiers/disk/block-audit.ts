/**
 * Checks what a block read found against what the series' meta says is stored. Pure: no I/O.
 *
 * LevelDB drops a damaged write-ahead-log fragment when it recovers, and the keys written in it
 * are simply absent afterwards: a later commit's meta may then list a block the database lacks,
 * or a block may be back at an older version than the meta describes. Either way the ledger
 * would claim bars that are not there, so such a block is reported as corrupt.
 */
import type { BlockInfo, BlockReadResult } from './bar-store.js';

/**
 * `read` with every start that `listed` describes but `read` lacks, or holds with a different bar
 * count or first/last bar time, moved to `corrupt`. Starts the meta does not list are left alone.
 */
export function auditBlocks(listed: readonly BlockInfo[], starts: readonly number[], read: BlockReadResult): BlockReadResult {
  if (listed.length === 0) return read;
  const info = new Map(listed.map((b) => [b.start, b]));
  const corrupt = new Set(read.corrupt);
  const blocks = new Map(read.blocks);
  for (const start of starts) {
    const expected = info.get(start);
    if (expected === undefined || corrupt.has(start)) continue;
    const cols = blocks.get(start);
    if (cols === undefined) {
      corrupt.add(start);
      continue;
    }
    const n = cols.length;
    if (n !== expected.bars || cols.time[0] !== expected.first || cols.time[n - 1] !== expected.last) {
      blocks.delete(start);
      corrupt.add(start);
    }
  }
  if (corrupt.size === read.corrupt.length) return read;
  return { blocks, corrupt: starts.filter((s) => corrupt.has(s)) };
}

/** Whether two block lists describe the same stored blocks. */
export function sameBlockList(a: readonly BlockInfo[], b: readonly BlockInfo[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.start !== y.start || x.bars !== y.bars || x.bytes !== y.bytes || x.first !== y.first || x.last !== y.last) return false;
  }
  return true;
}
