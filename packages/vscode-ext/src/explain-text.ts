import type { ExplainReport } from '@barcache/cache-core';
import { formatRange } from './format.js';

const DAILY = new Set(['1d', '5d', '1wk', '1mo', '3mo']);
const TIER_NAME = { l1: 'memory (L1)', l2: 'disk (L2)', shared: 'shared tier (Redis)', provider: 'provider (missing)' } as const;

/** A one-line answer to "where would this range come from?" and a per-part breakdown. */
export function explainText(r: ExplainReport): { summary: string; lines: string[] } {
  const daily = DAILY.has(r.interval);
  // Parts cover [start, end + 1): `end` is inclusive.
  const span = Math.max(1, r.end + 1 - r.start);
  const share = { l1: 0, l2: 0, shared: 0, provider: 0 };
  for (const p of r.parts) share[p.tier] += Math.max(0, Math.min(p.range.end, r.end + 1) - Math.max(p.range.start, r.start));
  const pct = (n: number) => `${Math.round((100 * n) / span)}%`;
  const where = (['l1', 'l2', 'shared', 'provider'] as const)
    .filter((t) => share[t] > 0)
    .map((t) => `${pct(share[t])} ${TIER_NAME[t]}`)
    .join(', ');
  const range = formatRange({ start: r.start, end: r.end + (daily ? 1 : 0) }, daily);
  const fetch =
    r.plannedRequests.length === 0
      ? 'nothing to fetch'
      : `${r.missing.length} missing ${r.missing.length === 1 ? 'range' : 'ranges'}, ${r.plannedRequests.length} provider ${r.plannedRequests.length === 1 ? 'request' : 'requests'} would be made`;
  const summary = `${r.symbol} ${r.interval} ${range}: ${where || 'empty range'}; ${fetch}.`;
  const lines = [
    summary,
    ...r.parts.map((p) => `  ${formatRange(p.range, daily)} ← ${TIER_NAME[p.tier]}`),
    ...r.plannedRequests.map((q) => `  would fetch ${formatRange(q, daily)}`),
  ];
  return { summary, lines };
}
