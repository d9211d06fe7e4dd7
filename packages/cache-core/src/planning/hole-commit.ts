import type { BarColumns } from '../bar-columns.js';
import type { UpstreamPiece } from '../tiers/upstream-tier.js';
import type { Interval } from '../types.js';
import { blockStartOf } from './block-layout.js';
import type { Ledger } from './coverage-ledger.js';
import { keepHolesProvisional, updateHoles, type HoleRecord } from './known-holes.js';

/**
 * How a commit of answered pieces changes a series' holes and ledger, the same for the local disk
 * tier (fill-commit.ts) and the shared tier's publish (shared-tier.ts), so both record exactly the
 * same facts. Call after the pieces are recorded in the ledger, with the merged blocks (`put`). Pure.
 *
 * - A piece from the provider (`droppedTimes`) is one more ask of the holes inside its range.
 * - A piece that carries hole records (`holes`: a shared tier passing on the publisher's records)
 *   replaces the records inside its range: the asks are the publisher's, not one more.
 * Either way a record whose bar the merged blocks hold is no hole, and the slot of every pending
 * hole is kept provisional at the piece's fetch time, so it is asked again after the TTL.
 */
export function commitHoles(
  holes: readonly HoleRecord[],
  ledger: Ledger,
  interval: Interval,
  pieces: readonly UpstreamPiece[],
  put: ReadonlyMap<number, BarColumns>,
): { holes: HoleRecord[]; ledger: Ledger } {
  let out = [...holes];
  for (const p of pieces) {
    if (p.holes !== undefined) out = adoptHoles(out, p.range, p.holes.filter((h) => lacks(interval, put, h.time)));
    else out = updateHoles(out, p.range, stillMissing(interval, p, put));
  }
  let next = ledger;
  for (const p of pieces) {
    const inside = out.filter((h) => h.time >= p.range.start && h.time < p.range.end);
    next = keepHolesProvisional(next, interval, inside, p.fetchedAt);
  }
  return { holes: out, ledger: next };
}

/** The records outside `range`, plus the given ones inside it, ascending by time. */
export function adoptHoles(holes: readonly HoleRecord[], range: { start: number; end: number }, given: readonly HoleRecord[]): HoleRecord[] {
  const inside = (h: HoleRecord) => h.time >= range.start && h.time < range.end;
  return [...holes.filter((h) => !inside(h)), ...given.filter(inside).map((h) => ({ time: h.time, asks: h.asks, known: h.known }))].sort(
    (a, b) => a.time - b.time,
  );
}

/** The times the piece reports dropped (null prices) whose bar the merged blocks still lack. */
function stillMissing(interval: Interval, piece: UpstreamPiece, put: ReadonlyMap<number, BarColumns>): Set<number> {
  const missing = new Set<number>();
  for (const t of piece.droppedTimes ?? []) {
    if (t >= piece.range.start && t < piece.range.end && lacks(interval, put, t)) missing.add(t);
  }
  return missing;
}

/** True when the merged blocks have no bar at `t`. */
function lacks(interval: Interval, put: ReadonlyMap<number, BarColumns>, t: number): boolean {
  const cols = put.get(blockStartOf(interval, t));
  if (cols === undefined) return true;
  const i = cols.lowerBound(t);
  return i >= cols.length || cols.time[i] !== t;
}
