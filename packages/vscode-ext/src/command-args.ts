import { z } from 'zod';
import { INTERVAL_LIST } from './quick-input.js';

/**
 * Arguments the commands accept when called programmatically (tests, tasks, keybindings,
 * `vscode.commands.executeCommand('barcache.warm', {...})`): given them, a command asks nothing.
 */

const symbolList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v.join(',') : v));
const interval = z.enum(INTERVAL_LIST as unknown as [string, ...string[]]);
const timeInput = z.union([z.string().min(1), z.number().finite()]);
const lookback = z
  .object({ bars: z.number().int().nonnegative().optional(), days: z.number().int().nonnegative().optional() })
  .strict();

export const warmArgsSchema = z
  .object({
    symbols: symbolList,
    interval: interval.optional(),
    start: timeInput.optional(),
    end: timeInput.optional(),
    lookback: lookback.optional(),
    /** Don't show the summary notification (default when called with arguments). */
    quiet: z.boolean().optional(),
  })
  .strict();
export type WarmArgs = z.output<typeof warmArgsSchema>;

export const clearArgsSchema = z
  .object({
    all: z.boolean().optional(),
    symbol: z.string().min(1).optional(),
    interval: interval.optional(),
    before: timeInput.optional(),
    /** false skips the confirmation (automation). Default true. */
    confirm: z.boolean().optional(),
  })
  .strict()
  .refine((a) => a.all === true || a.symbol !== undefined || a.interval !== undefined || a.before !== undefined, {
    message: 'say what to clear: all: true, or a symbol, an interval and/or before',
  })
  .refine((a) => !(a.all === true && (a.symbol !== undefined || a.interval !== undefined || a.before !== undefined)), {
    message: 'all: true cannot be combined with symbol, interval or before',
  });
export type ClearArgs = z.output<typeof clearArgsSchema>;

export const explainArgsSchema = z
  .object({
    symbol: z.string().min(1),
    interval: interval.optional(),
    start: timeInput,
    end: timeInput,
    quiet: z.boolean().optional(),
  })
  .strict();
export type ExplainArgs = z.output<typeof explainArgsSchema>;

export const planArgsSchema = z
  .object({ path: z.string().min(1), quiet: z.boolean().optional() })
  .strict();

/** Parses command args; a readable message (the first issue, with its path) when they are wrong. */
export function parseArgs<T extends z.ZodType>(schema: T, value: unknown): { ok: true; value: z.output<T> } | { ok: false; message: string } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, message: formatZodError(r.error) };
}

export function formatZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
