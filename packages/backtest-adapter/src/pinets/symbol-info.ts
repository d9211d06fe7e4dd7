/**
 * PineTS's `syminfo` (its ISymbolInfo), answered from what Barcache knows. Pure.
 *
 * PineTS reads `syminfo.timezone` for every time computation (`dayofmonth`, `hour`, `time()`,
 * sessions, `ta.vwap` anchoring), `syminfo.mintick` for `math.round_to_mintick` and `str.tostring`
 * formats, and hands the rest to the script. What the cache does not know is `na` (NaN) for
 * numbers and '' for text, never an invented value; callers may supply fields through the
 * plugin's `symbolInfo` option (e.g. `currency`, `mintick`, `description`).
 */
export interface PineSymbolInfo {
  current_contract: string;
  description: string;
  isin: string;
  main_tickerid: string;
  prefix: string;
  root: string;
  ticker: string;
  tickerid: string;
  type: string;
  basecurrency: string;
  country: string;
  currency: string;
  timezone: string;
  employees: number;
  industry: string;
  sector: string;
  shareholders: number;
  shares_outstanding_float: number;
  shares_outstanding_total: number;
  expiration_date: number;
  session: string;
  volumetype: string;
  mincontract: number;
  minmove: number;
  mintick: number;
  pointvalue: number;
  pricescale: number;
  recommendations_buy: number;
  recommendations_buy_strong: number;
  recommendations_date: number;
  recommendations_hold: number;
  recommendations_sell: number;
  recommendations_sell_strong: number;
  recommendations_total: number;
  target_price_average: number;
  target_price_date: number;
  target_price_estimates: number;
  target_price_high: number;
  target_price_low: number;
  target_price_median: number;
}

export interface KnownSymbolFacts {
  symbol: string;
  /** The exchange's IANA time zone as the provider reported it (Yahoo's exchangeTimezoneName), if known. */
  timezone?: string;
}

/** Builds the symbol info for `facts`, `overrides` winning over what the cache knows. */
export function buildSymbolInfo(facts: KnownSymbolFacts, overrides: Partial<PineSymbolInfo> = {}): PineSymbolInfo {
  const na = Number.NaN;
  const mintick = overrides.mintick ?? 0.01;
  return {
    current_contract: '',
    description: facts.symbol,
    isin: '',
    main_tickerid: facts.symbol,
    prefix: '',
    root: facts.symbol,
    ticker: facts.symbol,
    tickerid: facts.symbol,
    type: '',
    basecurrency: '',
    country: '',
    currency: '',
    // Without a provider time zone the cache's daily bars are dated in UTC, so UTC is the truth.
    timezone: facts.timezone ?? 'UTC',
    employees: na,
    industry: '',
    sector: '',
    shareholders: na,
    shares_outstanding_float: na,
    shares_outstanding_total: na,
    expiration_date: na,
    // Barcache's Yahoo series are regular-session bars (includePrePost off unless the provider says otherwise).
    session: 'regular',
    volumetype: 'base',
    mincontract: na,
    minmove: 1,
    // Yahoo quotes equities in cents; override for anything else.
    mintick,
    pointvalue: 1,
    pricescale: Math.round(1 / mintick),
    recommendations_buy: na,
    recommendations_buy_strong: na,
    recommendations_date: na,
    recommendations_hold: na,
    recommendations_sell: na,
    recommendations_sell_strong: na,
    recommendations_total: na,
    target_price_average: na,
    target_price_date: na,
    target_price_estimates: na,
    target_price_high: na,
    target_price_low: na,
    target_price_median: na,
    ...overrides,
  };
}
