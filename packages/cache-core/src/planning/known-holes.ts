import { barEnd } from '../intervals.js';
import type { Interval, TimeRange } from '../types.js';
import { dropFromLedger, recordFetch, type Ledger } from './coverage-ledger.js';

/**
 * Holes: bars the provider sent without prices (Yahoo's null quotes). They are never recorded as
 * final in silence: each hole's bar slot stays provisional, so it is asked again after the
 * provisional TTL, up to MAX_HOLE_ASKS answers in all; after that it is a known hole (final, not
 * asked again) that listSeries, explain and stats report. A later answer with prices heals it. Pure.
 */

/** One bar the provider sent without prices. */
export interface HoleRecord {
  /** The bar's time. */
  time: number;
  /** How many answers had it without prices. */
  asks: number;
  /** Given up on: final, not asked again. */
  known: boolean;
}

/** How many answers without prices make a hole known. */
export const MAX_HOLE_ASKS = 3;

/**
 * The hole list after an answer for `answered`: holes inside it that came back without prices again
 * are counted (known at MAX_HOLE_ASKS), those that came back with prices are healed (removed), new
 * ones start at one ask. `stillMissing` are the dropped times of this answer whose bar the merged
 * store still lacks (a dropped bar the store holds from an earlier answer is no hole).
 */
export function updateHoles(holes: readonly HoleRecord[], answered: TimeRange, stillMissing: ReadonlySet<number>): HoleRecord[] {
  const out: HoleRecord[] = [];
  const seen = new Set<number>();
  for (const h of holes) {
    if (h.time < answered.start || h.time >= answered.end) {
      out.push(h);
      continue;
    }
    seen.add(h.time);
    if (!stillMissing.has(h.time)) continue; // healed
    const asks = h.asks + 1;
    out.push({ time: h.time, asks, known: h.known || asks >= MAX_HOLE_ASKS });
  }
  for (const time of stillMissing) {
    if (!seen.has(time) && time >= answered.start && time < answered.end) out.push({ time, asks: 1, known: MAX_HOLE_ASKS <= 1 });
  }
  return out.sort((a, b) => a.time - b.time);
}

/** Makes the slot of every pending hole provisional (fetched at `fetchedAt`), so it is asked again after the TTL. */
export function keepHolesProvisional(ledger: Ledger, interval: Interval, holes: readonly HoleRecord[], fetchedAt: number): Ledger {
  let out = ledger;
  for (const h of holes) {
    if (h.known) continue;
    const slot = { start: h.time, end: barEnd(interval, h.time) };
    out = recordFetch(dropFromLedger(out, slot), slot, Number.NEGATIVE_INFINITY, fetchedAt);
  }
  return out;
}

/** Pending and known counts. */
export function countHoles(holes: readonly HoleRecord[] | undefined): { pending: number; known: number } {
  let pending = 0;
  let known = 0;
  for (const h of holes ?? []) {
    if (h.known) known++;
    else pending++;
  }
  return { pending, known };
}
