/**
 * Turns errors from cache-core into messages for people. Works on the shape (`code`, `details`) so
 * it needs no `instanceof` across bundles.
 */

export interface CodedError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export function isCodedError(err: unknown): err is CodedError {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' && typeof (err as { message?: unknown }).message === 'string';
}

export function isLockedError(err: unknown): err is CodedError {
  return isCodedError(err) && err.code === 'LOCKED';
}

export function isAbortError(err: unknown): boolean {
  return (isCodedError(err) && (err.code === 'ABORTED' || err.code === 'ABORT_ERR')) || (err instanceof Error && err.name === 'AbortError');
}

/** "pid 4242 (node backtest.mjs) on host-a" from LOCKED's `details.holder`, or undefined when it names nobody. */
export function describeHolder(details: Record<string, unknown> | undefined): string | undefined {
  const holder = details?.holder;
  if (typeof holder !== 'object' || holder === null) return undefined;
  const h = holder as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof h.pid === 'number' || typeof h.pid === 'string') parts.push(`pid ${h.pid}`);
  const what = [h.label, h.command].find((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (what) parts.push(`(${truncate(what.trim(), 80)})`);
  if (typeof h.hostname === 'string' && h.hostname) parts.push(`on ${h.hostname}`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** The message shown when the cache dir is held by another process. */
export function lockedMessage(err: CodedError, dir: string): string {
  const who = describeHolder(err.details);
  return who
    ? `The Barcache cache is in use by ${who}. It holds ${dir} until it closes the cache.`
    : `The Barcache cache at ${dir} is in use by another process.`;
}

/** One line for any error (code first when there is one). */
export function errorText(err: unknown): string {
  if (isCodedError(err)) return err.code === 'Error' ? err.message : `${err.message} [${err.code}]`;
  if (err instanceof Error) return err.message;
  return String(err);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
