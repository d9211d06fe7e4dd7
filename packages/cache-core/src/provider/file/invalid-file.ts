import { BarcacheError, ErrorCode } from '../../errors.js';

/**
 * INVALID_FILE for a price file: `<file>:<line>: <problem>`, with `details.file` and `details.line`
 * (1-based, as an editor counts; absent when the problem is the whole file).
 */
export function invalidFile(file: string, line: number | undefined, problem: string, extra: Record<string, unknown> = {}): BarcacheError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new BarcacheError(ErrorCode.INVALID_FILE, `${where}: ${problem}`, {
    details: { file, ...(line !== undefined ? { line } : {}), ...extra },
  });
}
