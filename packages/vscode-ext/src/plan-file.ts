import { z } from 'zod';
import type { Interval } from '@barcache/cache-core';
import { formatZodError } from './command-args.js';
import { INTERVAL_LIST, parseDate, parseSymbols } from './quick-input.js';

/**
 * A backtest plan file in the workspace (`*.barcache.json` or `barcache.plan.json`): what a backtest
 * will read, so Warm from Backtest Plan can fetch it all before day one.
 *
 * ```json
 * { "symbols": ["SPY", "QQQ"], "interval": "1d", "start": "2020-01-01", "end": "2024-12-31",
 *   "lookback": { "bars": 200 } }
 * ```
 */
export interface BacktestPlan {
  name?: string;
  symbols: string[];
  interval: Interval;
  start: string;
  end: string;
  lookback?: { bars?: number; days?: number };
}

const dateString = z.string().regex(/^\d{4}-\d{2}-\d{2}$|^\d{4}-\d{2}-\d{2}T.+$/, 'expected YYYY-MM-DD or an ISO date-time');

export const planSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().optional(),
    symbols: z.array(z.string().min(1)).min(1, 'list at least one symbol'),
    interval: z.enum(INTERVAL_LIST as unknown as [Interval, ...Interval[]]),
    start: dateString,
    end: dateString,
    lookback: z
      .object({
        bars: z.number().int().nonnegative().optional(),
        days: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type PlanParse = { ok: true; plan: BacktestPlan } | { ok: false; message: string };

/** Parses and validates a plan file's text (JSON, comments not allowed). */
export function parsePlanFile(text: string, now: number = Date.now()): PlanParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `not valid JSON: ${(err as Error).message}` };
  }
  const r = planSchema.safeParse(json);
  if (!r.success) return { ok: false, message: formatZodError(r.error) };
  const p = r.data;
  const symbols = parseSymbols(p.symbols.join(','));
  if (!symbols.ok) return { ok: false, message: `symbols: ${symbols.message}` };
  for (const [field, value] of [
    ['start', p.start],
    ['end', p.end],
  ] as const) {
    if (value.length === 10) {
      const d = parseDate(value, now);
      if (!d.ok) return { ok: false, message: `${field}: ${d.message}` };
    } else if (!Number.isFinite(Date.parse(value))) {
      return { ok: false, message: `${field}: ${value} is not a date-time` };
    }
  }
  if (Date.parse(p.start) > Date.parse(p.end)) return { ok: false, message: `start (${p.start}) is after end (${p.end})` };
  const plan: BacktestPlan = { symbols: symbols.symbols, interval: p.interval, start: p.start, end: p.end };
  if (p.name !== undefined) plan.name = p.name;
  if (p.lookback !== undefined) {
    plan.lookback = {};
    if (p.lookback.bars !== undefined) plan.lookback.bars = p.lookback.bars;
    if (p.lookback.days !== undefined) plan.lookback.days = p.lookback.days;
  }
  return { ok: true, plan };
}

/** The glob Warm from Backtest Plan searches the workspace with. */
export const PLAN_FILE_GLOB = '**/{*.barcache.json,barcache.plan.json}';
