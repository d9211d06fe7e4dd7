import { blockEndOf, blocksOverlapping } from '../planning/block-layout.js';
import { coversRange } from '../planning/ranges.js';
import { planWindow } from '../planning/sliding-window.js';
import type { SeriesKey } from '../series-key.js';
import type { ResidentSeries } from '../tiers/memory/memory-tier.js';
import type { CacheContext } from './cache-context.js';
import type { ResidentLoader } from './resident-loader.js';

/**
 * Moves a windowed series' window (planning/sliding-window.ts decides) as the backtest's cursor
 * advances: loads the blocks ahead from L2 and drops those behind the lookback, in the background,
 * so memory stays bounded however long the backtest runs. A read that outruns the loading is still
 * served, through the slow path (an L2 hit).
 */
export class WindowDriver {
  readonly #ctx: CacheContext;
  readonly #loader: ResidentLoader;

  constructor(ctx: CacheContext, loader: ResidentLoader) {
    this.#ctx = ctx;
    this.#loader = loader;
  }

  advance(key: SeriesKey, entry: ResidentSeries, cursor: number): void {
    const window = entry.window!;
    if (window.advancing) return;
    window.advancing = true;
    void this.#ctx.mutex
      .run(entry.id, async () => {
        if (this.#ctx.lifecycle.closed) return;
        const spec = { interval: key.interval, cursor, lookbackMs: window.lookbackMs, aheadMs: window.aheadMs, range: window.range };
        const resident = blocksOverlapping(key.interval, { start: window.range.start, end: window.range.end }).filter((b) =>
          coversRange(entry.loaded, { start: b, end: blockEndOf(key.interval, b) }),
        );
        const plan = planWindow(spec, resident);
        if (plan.drop.length > 0) this.#loader.dropBlocks(entry, key.interval, plan.drop);
        if (plan.load.length > 0) {
          const first = plan.load[0]!;
          const last = plan.load[plan.load.length - 1]!;
          await this.#loader.ensureResident(key, { start: first, end: blockEndOf(key.interval, last) });
        }
        window.nextAdvanceAt = cursor + Math.max(1, Math.floor(window.aheadMs / 2));
      })
      .catch(() => undefined) // the slow path reports real failures to the caller that hits them
      .finally(() => {
        window.advancing = false;
      });
  }
}
