import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { emptyResident, MemoryTier, replaceColumns, ROW_BYTES_WITH_ADJ_CLOSE, ROW_BYTES_WITHOUT_ADJ_CLOSE, sliceRows } from '../src/tiers/memory/memory-tier.js';
import { yahooLikeDaily } from './synthetic-series.js';

describe('MemoryTier accounting', () => {
  const bars = yahooLikeDaily(2, 11);

  function resident(withAdj: boolean) {
    const entry = emptyResident('S|1d', '1d');
    const cols = BarColumns.fromBars(bars);
    replaceColumns(entry, withAdj ? cols : cols.withoutAdjClose());
    return entry;
  }

  it('counts a columnar-only series at its typed arrays plus a small fixed overhead (<= 60 B/bar)', () => {
    const tier = new MemoryTier({ maxBytes: 2 ** 30 });
    tier.set(resident(true));
    expect(tier.bytes).toBeGreaterThanOrEqual(bars.length * 56);
    expect(tier.bytes / bars.length).toBeLessThanOrEqual(60);
  });

  it('counts the row objects, once built, at what they cost on the heap', () => {
    for (const withAdj of [true, false]) {
      const tier = new MemoryTier({ maxBytes: 2 ** 30 });
      const entry = resident(withAdj);
      tier.set(entry);
      const before = tier.bytes;
      sliceRows(entry, bars[0]!.time, bars[5]!.time); // builds the rows of the whole series
      tier.set(entry);
      expect(tier.bytes - before).toBe(bars.length * (withAdj ? ROW_BYTES_WITH_ADJ_CLOSE : ROW_BYTES_WITHOUT_ADJ_CLOSE));
    }
  });
});
