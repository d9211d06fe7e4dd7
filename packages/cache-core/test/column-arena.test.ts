// Carving a load's column regions out of a few large buffers: order kept, every region exactly its
// size, on 8-byte boundaries, never overlapping another, chunks within their bound; each buffer
// advised, then populated.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARENA_CHUNK_BYTES, carveColumnArenas, planArenaChunks } from '../src/tiers/memory/column-arena.js';
import type { HugePages } from '../src/tiers/memory/huge-pages.js';

const sizesArb = fc.array(
  fc.integer({ min: 1, max: 4096 }).map((words) => words * 8),
  { maxLength: 60 },
);

describe('planArenaChunks', () => {
  it('places every size once, in order, contiguously within its chunk, within the bound', () => {
    fc.assert(
      fc.property(sizesArb, fc.integer({ min: 1, max: 16_384 }).map((w) => w * 8), (sizes, chunkBytes) => {
        const { chunks, at } = planArenaChunks(sizes, chunkBytes);
        expect(at).toHaveLength(sizes.length);
        const used = chunks.map(() => 0);
        for (let i = 0; i < sizes.length; i++) {
          const { chunk, offset } = at[i]!;
          // Each region starts where the previous one in its chunk ended, so chunks are packed.
          expect(offset).toBe(used[chunk]);
          used[chunk] = offset + sizes[i]!;
          if (i > 0) expect(chunk === at[i - 1]!.chunk || chunk === at[i - 1]!.chunk + 1).toBe(true);
        }
        expect(used).toEqual(chunks);
        for (let c = 0; c < chunks.length; c++) {
          const members = sizes.filter((_, i) => at[i]!.chunk === c);
          // Over the bound only as a single size larger than the bound itself.
          if (chunks[c]! > chunkBytes) expect(members).toEqual([chunks[c]]);
          // A chunk was closed only because the next size did not fit in it.
          const next = at.findIndex((a) => a.chunk === c + 1);
          if (next >= 0) expect(chunks[c]! + sizes[next]!).toBeGreaterThan(chunkBytes);
        }
      }),
    );
  });

  it('defaults to 32 MiB chunks', () => {
    const mib = 2 ** 20;
    expect(ARENA_CHUNK_BYTES).toBe(32 * mib);
    expect(planArenaChunks([20 * mib, 12 * mib, 8]).chunks).toEqual([32 * mib, 8]);
  });
});

describe('carveColumnArenas', () => {
  it('hands out zeroed regions of exactly each size that never overlap, and advises each buffer whole, once', () => {
    fc.assert(
      fc.property(sizesArb, fc.integer({ min: 64, max: 8192 }).map((w) => w * 8), (sizes, chunkBytes) => {
        const advised: Uint8Array[] = [];
        const populated: Uint8Array[] = [];
        const huge: HugePages = {
          mode: 'madvise',
          advise: (region) => {
            // Advised before anything else touches the buffer: populated after, never before.
            expect(populated.includes(region)).toBe(false);
            advised.push(region);
          },
          populate: async (region) => void populated.push(region),
        };
        const { regions, populated: done } = carveColumnArenas(sizes, huge, chunkBytes);
        expect(done).toBeInstanceOf(Promise);
        expect(populated.length === advised.length && populated.every((p, i) => p === advised[i])).toBe(true);
        expect(regions.map((r) => r.byteLength)).toEqual(sizes);
        const buffers = new Set(regions.map((r) => r.buffer));
        expect(advised).toHaveLength(buffers.size);
        for (const a of advised) {
          expect(buffers.has(a.buffer)).toBe(true);
          expect(a.byteOffset).toBe(0);
          expect(a.byteLength).toBe(a.buffer.byteLength);
        }
        for (const r of regions) {
          expect(r.buffer).toBeInstanceOf(SharedArrayBuffer);
          expect(r.byteOffset % 8).toBe(0);
          expect(r.every((b) => b === 0)).toBe(true);
        }
        // Writing each region's index into it leaves every other region's values intact.
        regions.forEach((r, i) => r.fill((i % 255) + 1));
        regions.forEach((r, i) => expect(r.every((b) => b === (i % 255) + 1)).toBe(true));
      }),
      { numRuns: 60 },
    );
  });
});

it('a populate that fails leaves ordinary memory: the regions are handed out and `populated` still resolves', async () => {
  const huge: HugePages = { mode: 'madvise', advise: () => undefined, populate: () => Promise.reject(new Error('ENOMEM')) };
  const { regions, populated } = carveColumnArenas([64, 128], huge, 1024);
  expect(regions.map((r) => r.byteLength)).toEqual([64, 128]);
  await expect(populated).resolves.toBeUndefined();
});
