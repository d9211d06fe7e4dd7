/**
 * Hole records in the shared meta: checksummed with the rest, validated, optional (a meta written
 * before holes were shared still reads), and handed on by the pieces served from Redis.
 */
import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { commitHoles } from '../src/planning/hole-commit.js';
import { MAX_HOLE_ASKS } from '../src/planning/known-holes.js';
import { decodeSharedMeta, emptySharedMeta, encodeSharedMeta } from '../src/tiers/shared/shared-meta.js';
import { piecesFromLedger } from '../src/tiers/shared/served-pieces.js';

const ID = 'yahoo|X|1d';
const DAY = 86_400_000;

describe('shared meta: hole records', () => {
  const meta = {
    ...emptySharedMeta(ID),
    version: 3,
    ledger: { final: [{ start: 0, end: 10 * DAY }], provisional: [{ start: 10 * DAY, end: 11 * DAY, fetchedAt: 7 }] },
    holes: [
      { time: 4 * DAY, asks: MAX_HOLE_ASKS, known: true },
      { time: 10 * DAY, asks: 1, known: false },
    ],
    publishedAt: 9,
  };

  it('round-trip through the checksummed text; a changed ask count fails the checksum', () => {
    const text = encodeSharedMeta(meta);
    expect(decodeSharedMeta(text, ID)?.holes).toEqual(meta.holes);
    const tampered = text.replace('"asks":1', '"asks":2');
    expect(tampered).not.toBe(text);
    expect(decodeSharedMeta(tampered, ID)).toBeUndefined();
  });

  it('a meta written before holes were shared (no field) still reads, without holes', () => {
    const { holes: _omitted, ...older } = meta;
    const read = decodeSharedMeta(encodeSharedMeta(older), ID);
    expect(read?.version).toBe(3);
    expect(read?.holes).toBeUndefined();
    // Its pieces carry no hole records: the local rule applies, as before.
    expect(piecesFromLedger(read!, { start: 0, end: 11 * DAY }, BarColumns.empty()).every((p) => p.holes === undefined)).toBe(true);
  });

  it('malformed hole records (valid checksum) are not trusted', () => {
    for (const holes of [[{ time: 1, asks: 0, known: false }], [{ time: 1, asks: 1 }], 'x']) {
      expect(decodeSharedMeta(encodeSharedMeta({ ...meta, holes } as never), ID)).toBeUndefined();
    }
  });

  it('served pieces carry the records inside them; recorded locally they give back the publisher holes and keep pending slots provisional', () => {
    const pieces = piecesFromLedger(meta, { start: 0, end: 11 * DAY }, BarColumns.empty());
    expect(pieces.flatMap((p) => p.holes ?? [])).toEqual(meta.holes);
    const local = { final: [{ start: 0, end: 11 * DAY }], provisional: [] };
    const earlier = [{ time: 10 * DAY, asks: 2, known: false }, { time: 5 * DAY, asks: 1, known: false }];
    const out = commitHoles(earlier, local, '1d', pieces, new Map());
    // The publisher's records replace the local ones in the range (healed 5 d is gone, asks are the publisher's).
    expect(out.holes).toEqual(meta.holes);
    expect(out.ledger.provisional).toEqual([{ start: 10 * DAY, end: 11 * DAY, fetchedAt: 7 }]);
    expect(out.ledger.final).toEqual([{ start: 0, end: 10 * DAY }]);
  });
});
