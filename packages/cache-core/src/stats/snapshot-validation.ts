/**
 * Checks the stats files other processes wrote (zod). Imported by the readers on first use only,
 * so that importing cache-core does not load zod; a file that does not match is skipped.
 */
import { z } from 'zod';
import type { SharedTierStats } from '../tiers/shared/shared-counters.js';
import type { CacheStats } from '../types.js';
import type { RunRecord, StatsSnapshot } from './snapshot-schema.js';

const nonNeg = () => z.number().nonnegative();
const tierSchema = { hits: nonNeg(), misses: nonNeg(), bytes: nonNeg() };

/** `stats().shared`: where the tier points (no credentials), its state and its counters. */
export const sharedTierStatsSchema: z.ZodType<SharedTierStats> = z.object({
  location: z.string(),
  status: z.enum(['ok', 'unavailable']),
  hits: nonNeg(),
  misses: nonNeg(),
  bytesRead: nonNeg(),
  bytesWritten: nonNeg(),
  leasesWaited: nonNeg(),
  leaseTimeouts: nonNeg(),
  publishes: nonNeg(),
  fenced: nonNeg(),
  corrupt: nonNeg(),
  faults: nonNeg(),
  lastFault: z.object({ message: z.string(), at: z.number() }).optional(),
});

export const cacheStatsSchema: z.ZodType<CacheStats> = z.object({
  requests: nonNeg(),
  l1: z.object({ ...tierSchema, entries: nonNeg(), pinnedEntries: nonNeg() }),
  l2: z.object({ ...tierSchema, series: nonNeg(), corruptBlocks: nonNeg() }),
  provider: z.object({ calls: nonNeg(), bars: nonNeg(), errors: nonNeg(), retries: nonNeg(), droppedBars: nonNeg() }),
  providerCallsSaved: nonNeg(),
  hitRate: z.number().min(0).max(1),
  latency: z.object({ count: nonNeg(), p50Ms: nonNeg(), p99Ms: nonNeg(), maxMs: nonNeg() }),
  prefetch: z.object({ runs: nonNeg(), symbols: nonNeg(), lastAt: z.number().optional() }),
  startedAt: z.number(),
  // The shared team tier's figures, when one is configured.
  shared: sharedTierStatsSchema.optional(),
});

export const statsSnapshotSchema: z.ZodType<StatsSnapshot> = z.object({
  version: z.literal(1),
  pid: z.number().int().positive(),
  hostname: z.string(),
  label: z.string(),
  dir: z.string(),
  startedAt: z.number(),
  updatedAt: z.number(),
  closed: z.boolean(),
  stats: cacheStatsSchema,
});

export const runRecordSchema: z.ZodType<RunRecord> = z.object({
  version: z.literal(1),
  pid: z.number().int().positive(),
  hostname: z.string(),
  label: z.string(),
  dir: z.string(),
  startedAt: z.number(),
  endedAt: z.number(),
  stats: cacheStatsSchema,
});
