import type { IStrategy } from 'grademark';
import type { GrademarkBar, SessionLookup } from '../grademark/index.js';

export interface CrossoverParams {
  /** Fast SMA length in bars (<= slow). Default 10. */
  fast?: number;
  /** Slow SMA length in bars: the strategy's lookbackPeriod. Default 30. */
  slow?: number;
  /** The market the filter reads (through the session lookup). Default 'SPY'. */
  market?: string;
  /** Stop loss as a fraction of the entry price. Default 0.05. */
  stopLoss?: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Long when the fast SMA of closes is above the slow one and the market (SPY) closes above its own
 * slow SMA; out when the fast SMA falls below the slow one. The market filter is a synchronous
 * cross-symbol read from the prepared session, as of the current bar (no look-ahead).
 */
export function smaCrossoverWithMarketFilter(lookup: Pick<SessionLookup, 'closes'>, params: CrossoverParams = {}): IStrategy<GrademarkBar> {
  const fast = params.fast ?? 10;
  const slow = params.slow ?? 30;
  const market = params.market ?? 'SPY';
  const stop = params.stopLoss ?? 0.05;
  const smas = (closes: number[]) => ({ fast: mean(closes.slice(-fast)), slow: mean(closes) });
  const marketUp = (at: Date) => {
    const closes = lookup.closes(market, at, slow);
    return closes[closes.length - 1]! > mean(closes);
  };
  return {
    lookbackPeriod: slow,
    entryRule(enter, { bar, lookback }) {
      const s = smas(lookback.getSeries<number>('close').toArray());
      if (s.fast > s.slow && marketUp(bar.time)) enter();
    },
    exitRule(exit, { lookback }) {
      const s = smas(lookback.getSeries<number>('close').toArray());
      if (s.fast < s.slow) exit();
    },
    stopLoss: ({ entryPrice }) => entryPrice * stop,
  };
}
