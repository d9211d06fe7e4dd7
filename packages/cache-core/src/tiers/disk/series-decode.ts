/**
 * A series' blocks decoded together into one allocation, sized from their headers, each block's
 * bars right after the previous block's, in three steps:
 * - `planSeriesBlocks`: the headers' bar counts: the series' size and each block's place;
 * - `stageSeriesBlocks`: every block's framing and checksum checked, and what the WebAssembly
 *   decoder takes decoded into its place (one copy out for the whole series);
 * - `finishSeriesBlocks`: in JavaScript, what the WebAssembly decoder declined, the precise
 *   CORRUPT_BLOCK of a block that failed, and each good block as a view of the series.
 */
import { BarColumns } from '../../bar-columns.js';
import { BarcacheError, ErrorCode } from '../../errors.js';
import { checkFraming, decodeColumns, parseBlock, readBlockHeader } from './bar-block-decode.js';
import { FLAG_ADJ_CLOSE } from './bar-block-format.js';
import type { ColumnBufferSource } from './bar-store.js';
import { wasmBlockDecoder } from './wasm-block-decoder.js';

/** Where each block of a series goes, from the headers alone. */
interface SeriesBlocksPlan {
  /** Each block's bar count (-1: the bytes cannot be a block). */
  readonly bars: readonly number[];
  /** Bars in all: the allocation's length. */
  readonly total: number;
  /** Whether any block has an adjusted close (the allocation then has the column). */
  readonly hasAdj: boolean;
  readonly maxBytes: number;
  readonly maxBars: number;
}

/** What `stageSeriesBlocks` did with a block. */
const BLOCK_STAGED = 0;
const BLOCK_DECLINED = 1;
const BLOCK_FAILED = 2;

function planSeriesBlocks(blocks: readonly Uint8Array[]): SeriesBlocksPlan {
  const bars = new Array<number>(blocks.length);
  let total = 0;
  let hasAdj = false;
  let maxBytes = 0;
  let maxBars = 0;
  for (let i = 0; i < blocks.length; i++) {
    const h = readBlockHeader(blocks[i]!);
    bars[i] = h?.bars ?? -1;
    if (h === undefined) continue;
    total += h.bars;
    hasAdj ||= h.hasAdjClose;
    maxBytes = Math.max(maxBytes, blocks[i]!.length);
    maxBars = Math.max(maxBars, h.bars);
  }
  return { bars, total, hasAdj, maxBytes, maxBars };
}

/** The series' columns: in a region of `columnBuffer` when it has one of the exact size. */
function allocateSeries(plan: SeriesBlocksPlan, columnBuffer?: ColumnBufferSource): BarColumns {
  const bytes = plan.total * 8 * (plan.hasAdj ? 7 : 6);
  return BarColumns.allocate(plan.total, plan.hasAdj, plan.total > 0 ? columnBuffer?.(bytes) : undefined);
}

/**
 * Checks each block's framing and checksum and has the WebAssembly decoder (where built) decode
 * the blocks it takes into their places in `target`. Returns each block's BLOCK_* outcome.
 * Synchronous, and the only step that writes the target's memory for staged blocks.
 */
function stageSeriesBlocks(blocks: readonly Uint8Array[], plan: SeriesBlocksPlan, target: BarColumns): Uint8Array {
  const outcome = new Uint8Array(blocks.length);
  const staging = plan.total > 0 ? wasmBlockDecoder()?.stageSeries(plan.total, plan.hasAdj ? 7 : 6, plan.maxBytes, plan.maxBars) : undefined;
  let at = 0;
  for (let i = 0; i < blocks.length; i++) {
    const bytes = blocks[i]!;
    try {
      // Staged values land in the slot the header sized: the framing must agree on the count.
      if (checkFraming(bytes) !== plan.bars[i]) throw countMismatch(plan.bars[i]!);
      const staged = staging?.decode(bytes, plan.bars[i]!, (bytes[5]! & FLAG_ADJ_CLOSE) !== 0 ? 7 : 6, bytes[4]!, at) === true;
      outcome[i] = staged ? BLOCK_STAGED : BLOCK_DECLINED;
    } catch (err) {
      if (!(err instanceof BarcacheError)) throw err;
      outcome[i] = BLOCK_FAILED;
    }
    // A corrupt block's slot stays reserved (and unused) so the blocks after it keep their places.
    at += Math.max(plan.bars[i]!, 0);
  }
  staging?.copyInto(target);
  return outcome;
}

/**
 * The step after `stageSeriesBlocks`, in JavaScript: decodes what was declined, gives a failed
 * block its precise CORRUPT_BLOCK, writes NaN for the adjusted close of a block without one, and
 * returns each good block as a view of `target` (views of consecutive good blocks are adjacent,
 * so `BarColumns.concat` joins them without copying). A block without adjClose among blocks with
 * one is returned without the column. A failed block is parsed again here, where its error is
 * made (and where it is decoded after all, should it turn out sound).
 */
function finishSeriesBlocks(blocks: readonly Uint8Array[], plan: SeriesBlocksPlan, target: BarColumns, outcome: Uint8Array): (BarColumns | BarcacheError)[] {
  const out: (BarColumns | BarcacheError)[] = [];
  let at = 0;
  for (let i = 0; i < blocks.length; i++) {
    const bytes = blocks[i]!;
    const n = Math.max(plan.bars[i]!, 0);
    try {
      if (outcome[i] !== BLOCK_STAGED) {
        const block = parseBlock(bytes); // throws the precise CORRUPT_BLOCK
        if (block.n !== n) throw countMismatch(n); // never more bars than the slot, nor fewer
        decodeColumns(block, target, at);
      }
      const blockHasAdj = (bytes[5]! & FLAG_ADJ_CLOSE) !== 0;
      if (!blockHasAdj && plan.hasAdj) target.adjClose!.fill(NaN, at, at + n);
      const view = target.view(at, at + n);
      out.push(blockHasAdj || !plan.hasAdj ? view : view.withoutAdjClose());
    } catch (err) {
      if (!(err instanceof BarcacheError)) throw err;
      out.push(err);
    }
    at += n;
  }
  return out;
}

/** A block whose framing disagrees with the header that sized its slot. */
function countMismatch(headerBars: number): BarcacheError {
  return new BarcacheError(ErrorCode.CORRUPT_BLOCK, `Corrupt bar block: its framing disagrees with its header's ${headerBars} bars`);
}

/**
 * Decodes blocks into one allocation sized from their headers, in the order given, and returns
 * each block as a view of it, or the CORRUPT_BLOCK error of a block that would not decode: a
 * series loads with a single allocation of its final size and no second copy.
 */
export function decodeBlocksShared(blocks: readonly Uint8Array[], columnBuffer?: ColumnBufferSource): (BarColumns | BarcacheError)[] {
  const plan = planSeriesBlocks(blocks);
  const target = allocateSeries(plan, columnBuffer);
  return finishSeriesBlocks(blocks, plan, target, stageSeriesBlocks(blocks, plan, target));
}
