// AssemblyScript: one series' blocks checked and decoded in two calls, where decoding a block at a
// time took a call, a copy and a checksum call per block (src/tiers/disk/wasm-block-decoder.ts,
// `stageBlocks`). The caller copies the blocks into memory and describes them in a table:
//
//   table + 0:  total bars, whether any block has an adjusted close, the most bars in a block
//               (written by planSeries), one unused word;
//   table + 16 + 16·i: block i's address and length (the caller's), its bar count (-1: the bytes
//               cannot be a block) and its outcome (STAGED, DECLINED or FAILED; written here).
//
// planSeries reads the headers as readBlockHeader does (src/tiers/disk/bar-block-decode.ts);
// stageSeries checks each block's framing and checksum as checkFraming does and decodes the blocks
// it can into their places, side by side, laid out as BarColumns lays out a series. A FAILED or
// DECLINED block is left to the JavaScript decoder, which throws the precise CORRUPT_BLOCK or
// decodes it; so a check here may be stricter than the reference, never looser.

import { crc32 } from './crc32';
import { decodeColumns } from './block-decoder';

const HEADER_BYTES: i32 = 10;
const CRC_BYTES: i32 = 4;
const FLAG_ADJ_CLOSE: i32 = 1;
const VERSION: i32 = 2;
const VERSION_1: i32 = 1;
/** Zero bytes after each block: reads past a corrupt length see zeros (the caller leaves room). */
const PAD: i32 = 16;

const STAGED: i32 = 0;
const DECLINED: i32 = 1;
const FAILED: i32 = 2;

@inline function entry(table: usize, i: i32): usize {
  return table + 16 + (<usize>i << 4);
}

/** The little-endian u32 at p (a block's bar count, or its stored checksum). */
@inline function u32At(p: usize): u32 {
  return load<u8>(p) | (<u32>load<u8>(p + 1) << 8) | (<u32>load<u8>(p + 2) << 16) | (<u32>load<u8>(p + 3) << 24);
}

/** Reads every block's header: its bar count (-1 when the bytes cannot be a block). Returns the total. */
export function planSeries(table: usize, count: i32): i32 {
  let total: i32 = 0;
  let hasAdj: i32 = 0;
  let maxBars: i32 = 0;
  for (let i = 0; i < count; i++) {
    const e = entry(table, i);
    const p = <usize>load<u32>(e);
    const len = load<i32>(e, 4);
    memory.fill(p + <usize>len, 0, PAD);
    let bars: i32 = -1;
    if (len >= HEADER_BYTES + CRC_BYTES && load<u8>(p) == 0x42 && load<u8>(p + 1) == 0x43 && load<u8>(p + 2) == 0x42 && load<u8>(p + 3) == 0x4b) {
      const n = u32At(p + 6);
      if (n <= <u32>(len - CRC_BYTES)) {
        bars = <i32>n;
        total += bars;
        if ((load<u8>(p + 5) & FLAG_ADJ_CLOSE) != 0) hasAdj = 1;
        if (bars > maxBars) maxBars = bars;
      }
    }
    store<i32>(e, bars, 8);
  }
  store<i32>(table, total);
  store<i32>(table, hasAdj, 4);
  store<i32>(table, maxBars, 8);
  return total;
}

/**
 * Checks and decodes the planned blocks into `out`: column c of the series at out + c·total·8,
 * block i's bars after block i-1's (a block that cannot be one takes no room, a FAILED one keeps
 * its room). Scratch follows the columns. Returns how many blocks were STAGED.
 */
export function stageSeries(table: usize, count: i32, out: usize): i32 {
  const total = load<i32>(table);
  const ncols = load<i32>(table, 4) != 0 ? 7 : 6;
  const maxBars = load<i32>(table, 8);
  const closeScratch = out + <usize>ncols * <usize>total * 8;
  const scratch = closeScratch + <usize>maxBars * 8;
  let at: i32 = 0;
  let staged: i32 = 0;
  for (let i = 0; i < count; i++) {
    const e = entry(table, i);
    const p = <usize>load<u32>(e);
    const len = load<i32>(e, 4);
    const bars = load<i32>(e, 8);
    let outcome = FAILED;
    if (bars >= 0) {
      const body = len - CRC_BYTES;
      const version = <i32>load<u8>(p + 4);
      const flags = <i32>load<u8>(p + 5);
      if (u32At(p + <usize>body) == crc32(p, body) && (version == VERSION || version == VERSION_1) && (flags & ~FLAG_ADJ_CLOSE) == 0) {
        const blockCols = (flags & FLAG_ADJ_CLOSE) != 0 ? 7 : 6;
        outcome = decodeColumns(p, len, bars, blockCols, version, out + (<usize>at << 3), total, closeScratch, scratch) == 0 ? STAGED : DECLINED;
        if (outcome == STAGED) staged++;
      }
      at += bars;
    }
    store<i32>(e, outcome, 12);
  }
  return staged;
}
