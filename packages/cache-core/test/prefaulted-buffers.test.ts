// The pre-faulted column reserve: regions handed out by exact size in reservation order, nothing
// below the threshold, unclaimed regions dropped on release, carved from huge-page arenas where
// there are huge pages (no worker then), and a toucher that never changes a value (the loader may
// write into a buffer while the worker is still touching it).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageToucher } from '../src/tiers/memory/page-toucher.js';
import { PREFAULT_MIN_BYTES, PrefaultedBuffers } from '../src/tiers/memory/prefaulted-buffers.js';
import { BarColumns } from '../src/bar-columns.js';
import { ErrorCode, IN_MEMORY_DIR, openCache } from '../src/index.js';
import type { HugePages } from '../src/tiers/memory/huge-pages.js';

const MiB = 2 ** 20;
const NO_HUGE_PAGES = () => undefined;
/** The reserve without huge pages (the worker's way), whatever this machine has. */
const touched = (startToucher?: () => PageToucher | undefined, cores?: number) => new PrefaultedBuffers(startToucher, cores, NO_HUGE_PAGES);
/** Huge pages as a kernel under "madvise" would give them: each advised and populated buffer recorded. */
function madvise(): HugePages & { advised: Uint8Array[]; populated: Uint8Array[] } {
  const advised: Uint8Array[] = [];
  const populated: Uint8Array[] = [];
  return {
    mode: 'madvise',
    advise: (region) => void advised.push(region),
    populate: async (region) => void populated.push(region),
    advised,
    populated,
  };
}
const noWorker = () => {
  throw new Error('no worker thread is needed with huge pages');
};

describe('PrefaultedBuffers', () => {
  it('reserves nothing for a load below the threshold', async () => {
    const reserve = touched();
    const lease = reserve.reserve([PREFAULT_MIN_BYTES / 2, PREFAULT_MIN_BYTES / 2 - 8]);
    expect(lease.buffers).toBe(0);
    expect(reserve.take(PREFAULT_MIN_BYTES / 2)).toBeUndefined();
    lease.release();
  });

  it('hands out zeroed, touched buffers by exact size, in the order reserved', async () => {
    const reserve = touched();
    const sizes = [3 * MiB, 5 * MiB, 3 * MiB, 1 * MiB];
    const lease = reserve.reserve(sizes);
    expect(lease.buffers).toBe(4);
    await lease.touched;
    const a = reserve.take(3 * MiB)!;
    const b = reserve.take(3 * MiB)!;
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a.byteLength).toBe(3 * MiB);
    expect(a.buffer.byteLength).toBe(3 * MiB); // a buffer of its own
    expect(b.buffer).not.toBe(a.buffer);
    expect(reserve.take(3 * MiB)).toBeUndefined();
    expect(reserve.take(2 * MiB)).toBeUndefined();
    expect(new Float64Array(a.buffer).every((v) => v === 0)).toBe(true);
    expect(reserve.waiting).toBe(2);
    lease.release();
    expect(reserve.waiting).toBe(0);
    expect(reserve.take(5 * MiB)).toBeUndefined();
  });

  it('stops at the cap and skips sizes that are not whole columns', () => {
    const reserve = touched();
    const lease = reserve.reserve([4 * MiB, 4 * MiB + 3, 4 * MiB, 4 * MiB, 4 * MiB], 12 * MiB);
    expect(lease.buffers).toBe(3);
    lease.release();
  });

  it('without a worker (none could start) it reserves nothing and allocation falls back', () => {
    const reserve = touched(() => undefined);
    const lease = reserve.reserve([16 * MiB]);
    expect(lease.buffers).toBe(0);
    expect(reserve.take(16 * MiB)).toBeUndefined();
    lease.release();
  });

  it('on one core it reserves nothing (the worker would only take time from the loader)', () => {
    const reserve = touched(undefined, 1);
    const lease = reserve.reserve([16 * MiB]);
    expect(lease.buffers).toBe(0);
    expect(reserve.take(16 * MiB)).toBeUndefined();
    lease.release();
  });

  it('asked for huge pages only (a follower), it starts no worker and reserves nothing without them', () => {
    let started = 0;
    const reserve = touched(() => {
      started++;
      return undefined;
    });
    const lease = reserve.reserve([16 * MiB], Number.POSITIVE_INFINITY, { hugePagesOnly: true });
    expect(lease.buffers).toBe(0);
    expect(started).toBe(0);
    expect(reserve.take(16 * MiB)).toBeUndefined();
    lease.release();
  });

  it('a read takes a waiting buffer of its exact size through readOptions; any other size allocates afresh', async () => {
    const reserve = touched();
    const n = 150_001; // 7 columns × 8 B × n ≥ 8 MiB
    const lease = reserve.reserve([n * 56]);
    expect(lease.buffers).toBe(1);
    const wrongSize = BarColumns.allocate(n - 1, true, reserve.readOptions.columnBuffer((n - 1) * 56));
    expect(wrongSize.close.buffer).toBeInstanceOf(ArrayBuffer);
    const cols = BarColumns.allocate(n, true, reserve.readOptions.columnBuffer(n * 56));
    expect(cols.close.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(cols.length).toBe(n);
    // A buffer that does not fit is never used, whatever the caller passes.
    expect(BarColumns.allocate(10, false, new Uint8Array(new SharedArrayBuffer(8))).close.buffer).toBeInstanceOf(ArrayBuffer);
    expect(reserve.readOptions.columnBuffer(n * 56)).toBeUndefined();
    lease.release();
  });
});

describe('PrefaultedBuffers with huge pages', () => {
  it('carves the regions from a few advised buffers, in order, with no worker, on one core too', () => {
    for (const cores of [1, 2]) {
      const huge = madvise();
      const reserve = new PrefaultedBuffers(noWorker, cores, () => huge);
      const sizes = [3 * MiB, 5 * MiB, 3 * MiB, 1 * MiB, 40 * MiB];
      const lease = reserve.reserve(sizes);
      expect(lease.buffers).toBe(5);
      const got = [3 * MiB, 5 * MiB, 3 * MiB, 1 * MiB, 40 * MiB].map((bytes) => reserve.take(bytes)!);
      expect(got.map((r) => r.byteLength)).toEqual(sizes);
      // The first four share one arena buffer, back to back; 40 MiB is over a chunk: its own.
      expect(new Set(got.slice(0, 4).map((r) => r.buffer)).size).toBe(1);
      expect(got.slice(0, 4).map((r) => r.byteOffset)).toEqual([0, 3 * MiB, 8 * MiB, 11 * MiB]);
      expect(got[4]!.buffer !== got[0]!.buffer).toBe(true);
      // (Identities compared as booleans: a failing deep comparison of 40 MiB would print it all.)
      const advisedBuffers = huge.advised.map((a) => a.buffer);
      expect(advisedBuffers.length === 2 && advisedBuffers[0] === got[0]!.buffer && advisedBuffers[1] === got[4]!.buffer, 'each buffer advised whole, once').toBe(true);
      expect(huge.advised.every((a) => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength)).toBe(true);
      // Each buffer populated whole, after it was advised; the lease's `touched` waits for them.
      expect(huge.populated.length === 2 && huge.populated.every((p, i) => p === huge.advised[i]), 'each buffer populated').toBe(true);
      expect(reserve.waiting).toBe(0);
      lease.release();
    }
  });

  it('asked for huge pages only (a follower), it carves them as for any load', () => {
    const huge = madvise();
    const reserve = new PrefaultedBuffers(noWorker, 2, () => huge);
    const lease = reserve.reserve([6 * MiB, 6 * MiB], Number.POSITIVE_INFINITY, { hugePagesOnly: true });
    expect(lease.buffers).toBe(2);
    expect(reserve.take(6 * MiB)?.byteLength).toBe(6 * MiB);
    expect(huge.advised).toHaveLength(1);
    lease.release();
  });

  it('below the threshold it reserves nothing and advises nothing', () => {
    const huge = madvise();
    const reserve = new PrefaultedBuffers(noWorker, 2, () => huge);
    expect(reserve.reserve([PREFAULT_MIN_BYTES - 8]).buffers).toBe(0);
    expect(huge.advised).toHaveLength(0);
  });

  it('columns decoded into a region at an offset read back what was written, and leave the neighbours alone', () => {
    const reserve = new PrefaultedBuffers(noWorker, 2, () => madvise());
    const n = 100_000;
    const lease = reserve.reserve([n * 56, n * 48]);
    const first = BarColumns.allocate(n, true, reserve.readOptions.columnBuffer(n * 56));
    const second = BarColumns.allocate(n, false, reserve.readOptions.columnBuffer(n * 48));
    expect(second.close.buffer === first.close.buffer, 'both from one arena buffer').toBe(true);
    expect(second.time.byteOffset).toBe(n * 56);
    for (let i = 0; i < n; i++) {
      first.adjClose![i] = i + 0.5;
      second.time[i] = -i;
    }
    expect(first.adjClose![n - 1]).toBe(n - 0.5);
    expect(second.time[0]).toBe(-0);
    expect(second.volume.every((v) => v === 0)).toBe(true);
    lease.release();
  });

  it('a region whose offset is not on 8 bytes is never used for Float64 columns', () => {
    const odd = new Uint8Array(new SharedArrayBuffer(8 * 6 + 4), 4, 8 * 6);
    const cols = BarColumns.allocate(1, false, odd);
    expect(cols.close.buffer !== odd.buffer).toBe(true);
  });
});

describe('openCache memory.prefault', () => {
  it('takes only true or false: anything else is INVALID_ARGUMENT naming the field', async () => {
    for (const prefault of ['yes', 1, null]) {
      await expect(openCache({ dir: IN_MEMORY_DIR, memory: { prefault: prefault as unknown as boolean } })).rejects.toMatchObject({
        code: ErrorCode.INVALID_ARGUMENT,
        details: { field: 'memory.prefault' },
      });
    }
    const cache = await openCache({ dir: IN_MEMORY_DIR, memory: { prefault: false }, provider: { name: 'none', fetchBars: async () => ({ bars: [] }) } });
    await cache.close();
  });
});

describe('PageToucher', () => {
  it('never changes a value the loader wrote, however the writes and touches interleave', async () => {
    const toucher = PageToucher.start()!;
    expect(toucher).toBeDefined();
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (pages, seed) => {
          const buffer = new SharedArrayBuffer(pages * 4096);
          const view = new Float64Array(buffer);
          const touched = toucher.touch([buffer]);
          // Written while the worker may be touching the same pages: values whose low words are
          // zero (1, 2, 0.5…) and ones that are not, at every page's first slot and elsewhere.
          let x = seed;
          const expected = new Float64Array(view.length);
          for (let i = 0; i < view.length; i++) {
            x = (x * 1103515245 + 12345) >>> 0;
            const v = i % 512 === 0 ? (x % 3 === 0 ? 0 : x % 3 === 1 ? 2 ** (x % 40) : x / 7) : x % 5 === 0 ? 0 : x;
            view[i] = v;
            expected[i] = v;
          }
          await touched;
          expect(Buffer.from(view.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
        }),
        { numRuns: 40 },
      );
    } finally {
      toucher.stop();
    }
  });

  it('touch resolves at once after stop (the worker gone)', async () => {
    const toucher = PageToucher.start()!;
    toucher.stop();
    expect(toucher.alive).toBe(false);
    await toucher.touch([new SharedArrayBuffer(4096)]);
  });
});
