/**
 * A series' blocks decoded together into one allocation, sized from their headers, each block's
 * bars right after the previous block's, in three steps:
 * - plan: the headers' bar counts give the series' size and each block's place;
 * - stage: every block's framing and checksum checked, and what the WebAssembly decoder takes
 *   decoded into its place: the module does both steps for the whole series in two calls
 *   (`WasmBlockDecoder.stageBlocks`), then the series is copied out once;
 * - `finishSeriesBlocks`: in JavaScript, what the WebAssembly decoder declined, the precise
 *   CORRUPT_BLOCK of a block that failed, and each good block as a view of the series.
 * Without the module, the plan is read in JavaScript and every block is decoded in the last step.
 */
import { BarColumns } from '../../bar-columns.js';
import { BarcacheError, ErrorCode } from '../../errors.js';
import { decodeColumns, parseBlock, readBlockHeader } from './bar-block-decode.js';
import { FLAG_ADJ_CLOSE } from './bar-block-format.js';
import type { ColumnBufferSource } from './bar-store.js';
import { BLOCK_STAGED, wasmBlockDecoder } from './wasm-block-decoder.js';

/** Where each block of a series goes, from the headers alone. */
interface SeriesBlocksPlan {
  /** Each block's bar count (-1: the bytes cannot be a block). */
  readonly bars: ArrayLike<number>;
  /** Bars in all: the allocation's length. */
  readonly total: number;
  /** Whether any block has an adjusted close (the allocation then has the column). */
  readonly hasAdj: boolean;
}

/** The plan in JavaScript, for when the WebAssembly decoder is not there (the same reading of the headers). */
function planSeriesBlocks(blocks: readonly Uint8Array[]): SeriesBlocksPlan {
  const bars = new Array<number>(blocks.length);
  let total = 0;
  let hasAdj = false;
  for (let i = 0; i < blocks.length; i++) {
    const h = readBlockHeader(blocks[i]!);
    bars[i] = h?.bars ?? -1;
    if (h === undefined) continue;
    total += h.bars;
    hasAdj ||= h.hasAdjClose;
  }
  return { bars, total, hasAdj };
}

/** The series' columns: in a region of `columnBuffer` when it has one of the exact size. */
function allocateSeries(plan: SeriesBlocksPlan, columnBuffer?: ColumnBufferSource): BarColumns {
  const bytes = plan.total * 8 * (plan.hasAdj ? 7 : 6);
  return BarColumns.allocate(plan.total, plan.hasAdj, plan.total > 0 ? columnBuffer?.(bytes) : undefined);
}

/**
 * The step after staging, in JavaScript: decodes what was not staged (declined by the module,
 * failed there, or everything when there is no module), gives a failed block its precise
 * CORRUPT_BLOCK, writes NaN for the adjusted close of a block without one, and returns each good
 * block as a view of `target` (views of consecutive good blocks are adjacent, so
 * `BarColumns.concat` joins them without copying). A block without adjClose among blocks with
 * one is returned without the column. A block that failed is parsed again here, where its error
 * is made (and where it is decoded after all, should it turn out sound).
 */
function finishSeriesBlocks(blocks: readonly Uint8Array[], plan: SeriesBlocksPlan, target: BarColumns, outcome: Uint8Array | undefined): (BarColumns | BarcacheError)[] {
  const out: (BarColumns | BarcacheError)[] = [];
  let at = 0;
  for (let i = 0; i < blocks.length; i++) {
    const bytes = blocks[i]!;
    const n = Math.max(plan.bars[i]!, 0);
    try {
      if (outcome?.[i] !== BLOCK_STAGED) {
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
  const decoder = blocks.length > 0 ? wasmBlockDecoder() : undefined;
  if (decoder === undefined) {
    const plan = planSeriesBlocks(blocks);
    return finishSeriesBlocks(blocks, plan, allocateSeries(plan, columnBuffer), undefined);
  }
  const stage = decoder.stageBlocks(blocks);
  const target = allocateSeries(stage, columnBuffer);
  if (stage.total > 0) stage.copyInto(target);
  return finishSeriesBlocks(blocks, stage, target, stage.outcome);
}
