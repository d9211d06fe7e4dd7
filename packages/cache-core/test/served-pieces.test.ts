import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { recordFetch, EMPTY_LEDGER } from '../src/planning/coverage-ledger.js';
import { emptySharedMeta } from '../src/tiers/shared/shared-meta.js';
import { piecesFromLedger } from '../src/tiers/shared/served-pieces.js';

describe('pieces served from Redis carry its ledger', () => {
  const meta = {
    ...emptySharedMeta('yahoo|X|1d'),
    ledger: { final: [{ start: 0, end: 100 }], provisional: [{ start: 100, end: 150, fetchedAt: 7 }] },
    fetchEpochs: [
      { start: 0, end: 60, fetchedAt: 3 },
      { start: 60, end: 150, fetchedAt: 7 },
    ],
    publishedAt: 9,
  };

  it('cuts at fetch epochs and at the final/provisional edge; final stays final, provisional keeps its fetch time', () => {
    const pieces = piecesFromLedger(meta, { start: 20, end: 140 }, BarColumns.empty());
    expect(pieces.map((p) => ({ range: p.range, fetchedAt: p.fetchedAt, finalBefore: p.finalBefore }))).toEqual([
      { range: { start: 20, end: 60 }, fetchedAt: 3, finalBefore: 60 },
      { range: { start: 60, end: 100 }, fetchedAt: 7, finalBefore: 100 },
      { range: { start: 100, end: 140 }, fetchedAt: 7, finalBefore: 100 },
    ]);
  });

  it('recorded with recordFetch, the pieces give back the publisher ledger (restricted to the range)', () => {
    let ledger = EMPTY_LEDGER;
    for (const p of piecesFromLedger(meta, { start: 0, end: 150 }, BarColumns.empty())) ledger = recordFetch(ledger, p.range, p.finalBefore!, p.fetchedAt);
    expect(ledger).toEqual(meta.ledger);
  });
});
