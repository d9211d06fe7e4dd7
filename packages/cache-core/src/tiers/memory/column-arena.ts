import type { HugePages } from './huge-pages.js';

/**
 * The largest buffer a load's columns are carved from. Several series share one buffer, so that
 * it spans whole 2 MiB pages; a buffer is freed only when every series in it is, so an evicted
 * series may keep up to this much alive until its neighbours go too.
 */
export const ARENA_CHUNK_BYTES = 32 * 2 ** 20;

/**
 * Groups sizes, in order, into chunks of at most `chunkBytes` (a size larger than that gets a
 * chunk of its own): the chunks' totals, and for each size its chunk and byte offset there.
 * Sizes must be multiples of 8 (whole Float64 columns), so every offset is too. Pure.
 */
export function planArenaChunks(sizes: readonly number[], chunkBytes: number = ARENA_CHUNK_BYTES): { chunks: number[]; at: { chunk: number; offset: number }[] } {
  const chunks: number[] = [];
  const at: { chunk: number; offset: number }[] = [];
  for (const bytes of sizes) {
    const last = chunks.length - 1;
    if (last >= 0 && chunks[last]! + bytes <= chunkBytes) {
      at.push({ chunk: last, offset: chunks[last]! });
      chunks[last] = chunks[last]! + bytes;
    } else {
      at.push({ chunk: chunks.length, offset: 0 });
      chunks.push(bytes);
    }
  }
  return { chunks, at };
}

/**
 * One zeroed region of exactly each size, carved in order from fresh buffers of up to
 * ARENA_CHUNK_BYTES, each asked for huge pages before anything touches it, then populated on
 * another thread (`populated` resolves when every buffer is). The buffers are SharedArrayBuffers,
 * as the worker-touched ones are: a prepared load's columns are backed by one either way. Throws
 * RangeError when the memory cannot be had (the caller then allocates as it goes).
 */
export function carveColumnArenas(sizes: readonly number[], huge: HugePages, chunkBytes: number = ARENA_CHUNK_BYTES): { regions: Uint8Array[]; populated: Promise<void> } {
  const plan = planArenaChunks(sizes, chunkBytes);
  const buffers = plan.chunks.map((bytes) => new Uint8Array(new SharedArrayBuffer(bytes)));
  for (const buffer of buffers) huge.advise(buffer);
  // Populating only saves faults: a failure leaves them to the writer, and must not surface.
  const populated = Promise.all(buffers.map((buffer) => huge.populate(buffer))).then(
    () => undefined,
    () => undefined,
  );
  return { regions: plan.at.map(({ chunk, offset }, i) => new Uint8Array(buffers[chunk]!.buffer, offset, sizes[i]!)), populated };
}
