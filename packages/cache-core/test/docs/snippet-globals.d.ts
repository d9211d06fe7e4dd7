// What a README fragment may use without declaring it: the names its surrounding text introduces
// ("the cache", "your trading days", "the prepared session"). Each snippet is its own module, so a
// snippet that declares one of these itself (`const cache = await openCache()`) shadows it.
declare const cache: import('@barcache/cache-core').BarCache;
declare const tradingDays: readonly number[];
declare const start: string;
declare const end: string;
declare const session: import('@barcache/backtest-adapter/grademark').GrademarkSession;
declare const hourlyBar: { time: Date };
declare const symbols: string[];
declare const interval: import('@barcache/cache-core').Interval;
declare const plan: import('@barcache/cache-core').PrefetchPlan;

// backtest-kit is not a dependency of this repo (the adapter works on its shapes): its one call the
// README shows is declared here, so the rest of that snippet is still checked.
declare module 'backtest-kit' {
  export function addExchangeSchema(schema: { exchangeName: string; getCandles: (...args: never[]) => unknown; [key: string]: unknown }): void;
}
