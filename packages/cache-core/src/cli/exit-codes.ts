/**
 * How a failure becomes an exit code and a line on stderr. Pure: no process access.
 *
 *   0  success
 *   1  a failure that is not the user's input (provider, offline miss, a failed symbol in warm…)
 *   2  bad input: INVALID_ARGUMENT, UNSUPPORTED_INTERVAL, INVALID_FILE, NO_CACHE (a read-only command
 *      on a dir with no cache), or a usage error from the argument parser
 *   3  LOCKED: another process holds the cache dir
 */
import { BarcacheError, ErrorCode } from '../errors.js';

export const ExitCode = {
  OK: 0,
  FAILED: 1,
  BAD_INPUT: 2,
  LOCKED: 3,
  /** Interrupted by SIGINT (128 + 2, the shell convention). */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const BAD_INPUT_CODES: ReadonlySet<string> = new Set([
  ErrorCode.INVALID_ARGUMENT,
  ErrorCode.UNSUPPORTED_INTERVAL,
  ErrorCode.INVALID_FILE,
  ErrorCode.NO_CACHE,
]);

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof BarcacheError) {
    if (BAD_INPUT_CODES.has(err.code)) return ExitCode.BAD_INPUT;
    if (err.code === ErrorCode.LOCKED) return ExitCode.LOCKED;
    if (err.code === ErrorCode.ABORTED) return ExitCode.INTERRUPTED;
    return ExitCode.FAILED;
  }
  return ExitCode.FAILED;
}

/**
 * The stderr line for a failure: `barcache: <CODE>: <message>` for a BarcacheError (no stack),
 * `barcache: <message>` for anything else (with the stack only when `debug`).
 * A LOCKED error always names the holder's pid, even if the message did not.
 */
export function formatError(err: unknown, debug = false): string {
  if (err instanceof BarcacheError) {
    let message = oneLine(err.message);
    if (err.code === ErrorCode.LOCKED) {
      const pid = holderPid(err.details);
      if (pid !== undefined && !new RegExp(`\\b${pid}\\b`).test(message)) message += ` (held by pid ${pid})`;
    }
    const line = `barcache: ${err.code}: ${message}`;
    return debug && err.stack ? `${line}\n${err.stack}` : line;
  }
  if (err instanceof Error) {
    const line = `barcache: ${oneLine(err.message)}`;
    return debug && err.stack ? `${line}\n${err.stack}` : line;
  }
  return `barcache: ${oneLine(String(err))}`;
}

/** The holder pid from a LOCKED error's details: `holder` may be a pid or an object with `pid`. */
export function holderPid(details: Record<string, unknown>): number | undefined {
  const holder = details['holder'] ?? details['pid'];
  if (typeof holder === 'number' && Number.isInteger(holder)) return holder;
  if (typeof holder === 'string' && /^\d+$/.test(holder)) return Number(holder);
  if (holder !== null && typeof holder === 'object') {
    const pid = (holder as { pid?: unknown }).pid;
    if (typeof pid === 'number' && Number.isInteger(pid)) return pid;
    if (typeof pid === 'string' && /^\d+$/.test(pid)) return Number(pid);
  }
  return undefined;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
