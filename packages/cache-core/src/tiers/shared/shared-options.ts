/**
 * How the shared team tier is turned on: `openCache({ shared: { url } })` or the environment
 * (`BARCACHE_SHARED_URL`, `BARCACHE_SHARED_CLUSTER`, `BARCACHE_SHARED_PREFIX`,
 * `BARCACHE_SHARED_USERNAME`, `BARCACHE_SHARED_PASSWORD`). Credentials come from the URL or the
 * environment and never appear in logs, stats or errors: everything shown uses `redactedUrl`.
 */
import { invalidArgument } from '../../errors.js';

/** The key prefix when none is given (option or BARCACHE_SHARED_PREFIX). */
export const DEFAULT_SHARED_PREFIX = 'barcache:';

export interface SharedTierOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://…` for TLS. */
  url: string;
  /** A Redis Cluster: the URL names any node. Default: false. */
  cluster?: boolean;
  /** Prefix of every key, to keep two teams' caches apart on one Redis. Default: 'barcache:'. */
  prefix?: string;
  /** How long a fill lease lasts without renewal (a dead holder's lease expires after it). Default: 30 s. */
  leaseTtlMs?: number;
  /** How long a worker waits for another's fill before asking the provider itself. Default: 60 s. */
  leaseWaitMs?: number;
  /** Per-command time-out; a slower Redis counts as a fault and is bypassed. Default: 2 s. */
  commandTimeoutMs?: number;
}

/** What a shared-tier fault is reported with (free of credentials). */
export interface SharedFault {
  /** Where the tier points, e.g. `redis://10.0.0.5:6379` (never with user or password). */
  location: string;
  /** What failed, e.g. `Redis at redis://10.0.0.5:6379: connect ECONNREFUSED 10.0.0.5:6379`. */
  message: string;
}

export interface ResolvedSharedOptions {
  url: string;
  username: string | undefined;
  password: string | undefined;
  cluster: boolean;
  prefix: string;
  leaseTtlMs: number;
  leaseWaitMs: number;
  commandTimeoutMs: number;
  /** The URL without credentials: what logs, stats and errors may show. */
  redactedUrl: string;
}

/** The shared tier's options from `openCache` options, else the environment; undefined = off. */
export function resolveSharedOptions(
  option: SharedTierOptions | string | false | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedSharedOptions | undefined {
  if (option === false) return undefined;
  const given: SharedTierOptions | undefined =
    typeof option === 'string' ? { url: option } : option ?? (env.BARCACHE_SHARED_URL ? { url: env.BARCACHE_SHARED_URL } : undefined);
  if (given === undefined) return undefined;
  if (given === null || typeof given !== 'object' || typeof given.url !== 'string') {
    throw invalidArgument('shared must be { url: "redis://host:port" } (or set BARCACHE_SHARED_URL)', { field: 'shared' });
  }
  let parsed: URL;
  try {
    parsed = new URL(given.url);
  } catch {
    throw invalidArgument(`shared.url is not a URL (expected redis://host:port or rediss://host:port)`, { field: 'shared.url' });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw invalidArgument(`shared.url must start with redis:// or rediss://, got ${parsed.protocol}//`, { field: 'shared.url' });
  }
  const username = decodeURIComponent(parsed.username) || env.BARCACHE_SHARED_USERNAME || undefined;
  const password = decodeURIComponent(parsed.password) || env.BARCACHE_SHARED_PASSWORD || undefined;
  const redacted = new URL(parsed.href);
  redacted.username = '';
  redacted.password = '';
  const prefix = given.prefix ?? env.BARCACHE_SHARED_PREFIX ?? DEFAULT_SHARED_PREFIX;
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) throw invalidArgument('shared.prefix must be a string without { or }', { field: 'shared.prefix' });
  return {
    url: parsed.href,
    username,
    password,
    cluster: given.cluster ?? ['1', 'true', 'yes'].includes((env.BARCACHE_SHARED_CLUSTER ?? '').toLowerCase()),
    prefix,
    leaseTtlMs: positive(given.leaseTtlMs, 30_000, 'shared.leaseTtlMs'),
    leaseWaitMs: positive(given.leaseWaitMs, 60_000, 'shared.leaseWaitMs'),
    commandTimeoutMs: positive(given.commandTimeoutMs, 2_000, 'shared.commandTimeoutMs'),
    redactedUrl: redacted.href.replace(/\/$/, ''),
  };
}

/** Removes the password (and user) from any text before it is shown. */
export function redactSecrets(text: string, options: Pick<ResolvedSharedOptions, 'password' | 'url' | 'redactedUrl'>): string {
  let out = text.split(options.url).join(options.redactedUrl);
  if (options.password) out = out.split(options.password).join('***');
  return out;
}

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) throw invalidArgument(`${field} must be a positive number of ms`, { field, value });
  return value;
}
