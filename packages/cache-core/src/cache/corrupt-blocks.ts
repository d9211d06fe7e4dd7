import { BarcacheError, ErrorCode } from '../errors.js';
import type { SeriesKey } from '../series-key.js';

/** How many times a block may fail its checksum again, right after being refetched, before giving up. */
export const MAX_CORRUPT_ROUNDS = 2;

export function corruptBlockError(key: SeriesKey): BarcacheError {
  return new BarcacheError(
    ErrorCode.CORRUPT_BLOCK,
    `${key.symbol} ${key.interval}: stored blocks keep failing their checksum after being refetched (is the disk failing?)`,
    { details: { symbol: key.symbol, interval: key.interval } },
  );
}
