/**
 * How a range served from Redis is handed to the local cache: cut into pieces that each carry
 * what Redis's ledger says of them, so the local ledger records them exactly as the publishing
 * worker did. Final parts stay final (`finalBefore` at their end) whatever this worker's own settle
 * delay; provisional parts stay provisional with the publisher's fetch time (their TTL runs from
 * it); and every piece keeps the fetch time Redis recorded for its bars (fetch epochs), which split
 * re-basing needs. Every piece also carries the publisher's hole records inside it (bars the provider
 * sent without prices, with their ask counts), so the local cache keeps the same holes, re-asks the
 * same slots and gives up on them at the same count. Pure.
 */
import type { BarColumns } from '../../bar-columns.js';
import { intersectRanges, subtractRanges } from '../../planning/ranges.js';
import type { TimeRange } from '../../types.js';
import type { UpstreamPiece } from '../upstream-tier.js';
import type { SharedSeriesMeta } from './shared-meta.js';

interface Span extends TimeRange {
  fetchedAt: number;
  final: boolean;
}

/** The pieces of `range` (which Redis serves fresh) with the bars of `bars` inside each. */
export function piecesFromLedger(meta: SharedSeriesMeta, range: TimeRange, bars: BarColumns): UpstreamPiece[] {
  const extra = { splits: meta.splits, ...(meta.timezone ? { timezone: meta.timezone } : {}) };
  const spans: Span[] = [];
  // Final parts, at the fetch time Redis recorded for their bars (the publish time where none).
  const final = intersectRanges(meta.ledger.final, [range]);
  for (const f of final) {
    let rest: TimeRange[] = [f];
    for (const e of meta.fetchEpochs) {
      for (const part of intersectRanges([f], [e])) spans.push({ ...part, fetchedAt: e.fetchedAt, final: true });
      rest = subtractRanges(rest, [e]);
    }
    for (const part of rest) spans.push({ ...part, fetchedAt: meta.publishedAt, final: true });
  }
  // Provisional parts, with the fetch time their TTL runs from.
  for (const p of meta.ledger.provisional) {
    for (const part of subtractRanges(intersectRanges([p], [range]), final)) spans.push({ ...part, fetchedAt: p.fetchedAt, final: false });
  }
  // Anything the ledger does not name (not expected: the range is served only when covered) is
  // left to this cache's own finality rule.
  const named = spans.map((s) => ({ start: s.start, end: s.end }));
  const unnamed = subtractRanges([range], named).map((r) => ({ ...r, fetchedAt: meta.publishedAt, final: undefined }));
  const holes = meta.holes;
  return [...spans, ...unnamed]
    .sort((a, b) => a.start - b.start)
    .map((s) => ({
      range: { start: s.start, end: s.end },
      bars: bars.filterRange(s),
      fetchedAt: s.fetchedAt,
      ...(s.final === undefined ? {} : { finalBefore: s.final ? s.end : s.start }),
      // An older meta without hole records: the pieces carry none (the local rule applies).
      ...(holes === undefined ? {} : { holes: holes.filter((h) => h.time >= s.start && h.time < s.end) }),
      ...extra,
    }));
}
