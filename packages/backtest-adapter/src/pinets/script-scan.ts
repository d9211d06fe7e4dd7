/**
 * Finds the `request.security(symbol, timeframe, …)` calls of a Pine script, so the plugin can
 * prefetch every series the script will read before PineTS runs it. Pure: text in, calls out.
 *
 * Only literal arguments can be planned: string literals (`"SPY"`, `'W'`), the chart's own symbol
 * (`syminfo.tickerid`, `syminfo.ticker`, `""`) and timeframe (`timeframe.period`, `""`), and a
 * literal `calc_bars_count`. A call with any other symbol or timeframe (an input, a variable) is
 * reported with `dynamic` set: name its series in the plugin's `securities` option.
 */

/** The chart's own symbol or timeframe (Pine's `syminfo.tickerid`, `timeframe.period`, or `""`). */
export const CHART = Symbol('chart');
export type Planned = string | typeof CHART;

export interface SecurityCall {
  /** The call as written in the script, whitespace collapsed: `request.security("SPY", "D", close)`. */
  text: string;
  /** 1-based line of the call in the script. */
  line: number;
  /** The symbol, when literal (an exchange prefix such as `NASDAQ:` is kept here; see `stripExchange`). */
  symbol?: Planned;
  /** The timeframe, when literal. */
  timeframe?: Planned;
  /** A literal `calc_bars_count` (the history depth the call asks for), when given. */
  calcBarsCount?: number;
  /** `ignore_invalid_symbol = true`: an unknown symbol reads as `na` instead of failing. */
  ignoreInvalidSymbol?: boolean;
  /** Why the call cannot be planned from the source (a non-literal symbol or timeframe). */
  dynamic?: string;
}

/**
 * The source with comments blanked out (offsets and line breaks kept), so calls in comments are
 * ignored, and where its string literals are (calls written inside strings are ignored too).
 */
function scanSource(src: string): { text: string; strings: [number, number][] } {
  let out = '';
  const strings: [number, number][] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"' || c === "'") {
      const end = stringEnd(src, i);
      strings.push([i, end]);
      out += src.slice(i, end);
      i = end;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, strings };
}

/** The index just past the string literal starting at `i` (Pine strings do not span lines). */
function stringEnd(src: string, i: number): number {
  const quote = src[i];
  let j = i + 1;
  while (j < src.length && src[j] !== quote && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
  return Math.min(j + 1, src.length);
}

/** Splits the argument list starting after `open` (the index of '(') at top-level commas; returns args and the index of ')'. */
function splitArgs(src: string, open: number): { args: string[]; close: number } | undefined {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  let i = open + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"' || c === "'") {
      i = stringEnd(src, i);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) {
        if (src.slice(start, i).trim() !== '') args.push(src.slice(start, i).trim());
        return { args, close: i };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(src.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  return undefined;
}

const NAMED = /^([A-Za-z_]\w*)\s*=(?!=)\s*([\s\S]*)$/;
const STRING = /^(["'])((?:\\.|(?!\1).)*)\1$/;

function literal(arg: string, chartForms: readonly string[]): Planned | undefined {
  const m = STRING.exec(arg);
  if (m) return m[2] === '' ? CHART : m[2]!.replace(/\\(.)/g, '$1');
  return chartForms.includes(arg.replace(/\s+/g, '')) ? CHART : undefined;
}

const CHART_SYMBOL = ['syminfo.tickerid', 'syminfo.ticker'];
const CHART_TIMEFRAME = ['timeframe.period'];
const POSITIONS = ['symbol', 'timeframe', 'expression', 'gaps', 'lookahead', 'ignore_invalid_symbol', 'currency', 'calc_bars_count'];

/** Every `request.security(…)` call in `source`, in order. */
export function findSecurityCalls(source: string): SecurityCall[] {
  const { text: src, strings } = scanSource(source);
  const calls: SecurityCall[] = [];
  const re = /\brequest\s*\.\s*security\s*\(/g;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const at = m.index;
    if (strings.some(([from, to]) => from < at && at < to)) continue;
    const open = m.index + m[0].length - 1;
    const line = src.slice(0, m.index).split('\n').length;
    const split = splitArgs(src, open);
    if (!split) {
      calls.push({ text: src.slice(m.index, m.index + 60).replace(/\s+/g, ' ').trim(), line, dynamic: 'the call is not closed' });
      continue;
    }
    const text = src.slice(m.index, split.close + 1).replace(/\s+/g, ' ');
    const byName: Record<string, string> = {};
    split.args.forEach((arg, i) => {
      const named = NAMED.exec(arg);
      if (named) byName[named[1]!] = named[2]!.trim();
      else if (POSITIONS[i]) byName[POSITIONS[i]!] = arg;
    });
    const call: SecurityCall = { text, line };
    const symArg = byName.symbol;
    const tfArg = byName.timeframe;
    const symbol = symArg === undefined ? undefined : literal(symArg, CHART_SYMBOL);
    const timeframe = tfArg === undefined ? undefined : literal(tfArg, CHART_TIMEFRAME);
    if (symbol !== undefined) call.symbol = symbol;
    if (timeframe !== undefined) call.timeframe = timeframe;
    const bars = byName.calc_bars_count === undefined ? NaN : Number(byName.calc_bars_count);
    if (Number.isInteger(bars) && bars > 0) call.calcBarsCount = bars;
    if (byName.ignore_invalid_symbol === 'true') call.ignoreInvalidSymbol = true;
    const unplanned = [symbol === undefined && `symbol ${symArg ?? '(missing)'}`, timeframe === undefined && `timeframe ${tfArg ?? '(missing)'}`].filter(Boolean);
    if (unplanned.length > 0) call.dynamic = `${unplanned.join(' and ')} is not a literal`;
    calls.push(call);
  }
  return calls;
}

/** `NASDAQ:AAPL` → `AAPL`, as PineTS strips the exchange prefix before it asks the provider. */
export function stripExchange(symbol: string): string {
  const i = symbol.indexOf(':');
  return i >= 0 ? symbol.slice(i + 1) : symbol;
}
