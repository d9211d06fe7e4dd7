/**
 * What the CLI says about the shared team tier (Redis), in plain words: the one stderr line when
 * Redis fails (once per command), and the state line `ls` and `stats` print. Pure; every location
 * here comes from cache-core, which never includes credentials.
 */
import type { SharedFault } from '../tiers/shared/shared-options.js';
import type { SharedTierStats } from '../tiers/shared/shared-counters.js';

/** Why Redis failed, in words a user acts on. */
export function sharedFaultReason(message: string): string {
  if (/OOM|maxmemory/i.test(message)) return 'is full (maxmemory reached)';
  if (/WRONGPASS|NOAUTH|NOPERM|invalid username-password|Authentication required/i.test(message)) return 'refused the user or password';
  if (/timed? ?out/i.test(message)) return 'is too slow (no answer within the time-out)';
  if (/ECONNREFUSED|not connected|isn't writeable|Connection is closed|ENOTFOUND|EHOSTUNREACH|ECONNRESET|EAI_AGAIN|closed/i.test(message)) {
    return 'does not answer';
  }
  return `failed (${message.replace(/^Redis at \S+: /, '')})`;
}

/** The stderr line: `barcache: team cache: Redis at redis://h:6379 does not answer; carrying on …`. */
export function sharedFaultLine(fault: SharedFault): string {
  return `barcache: team cache: Redis at ${fault.location} ${sharedFaultReason(fault.message)}; carrying on with the local cache and the provider`;
}

/** The state line of `ls` and `stats` (printed when a team cache is configured). */
export function sharedStateLine(shared: SharedTierStats | undefined): string {
  if (shared === undefined) return 'team cache: none (--shared <url> or BARCACHE_SHARED_URL to use one)';
  if (shared.status === 'ok') return `team cache: ${shared.location}, answering`;
  const why = shared.lastFault ? sharedFaultReason(shared.lastFault.message) : 'does not answer';
  return `team cache: ${shared.location} ${why}: this command used the local cache and the provider only`;
}
