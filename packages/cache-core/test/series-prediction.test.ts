/**
 * QueryParser's series prediction: a backtest asks for its symbols in the same order every day,
 * so the series that followed the last one last time is the first guess (peekColumns' predicted
 * path). A guess is only ever an identity match of the raw symbol and interval; these tests check
 * what it remembers.
 */
import { describe, expect, it } from 'vitest';
import { QueryParser } from '../src/cache/query-parsing.js';
import type { BarQuery, Interval } from '../src/types.js';

const q = (symbol: string, interval: Interval = '1d'): BarQuery => ({ symbol, interval, start: 0, end: 1 });

describe('series prediction', () => {
  it('predicts the series that followed the last one, by the very same raw symbol and interval', () => {
    const p = new QueryParser('P');
    const a = p.series(q('AAA'));
    const b = p.series(q('BBB'));
    p.series(q('AAA')); // learned: AAA → BBB → AAA
    expect(p.predicted(q('BBB'))).toBe(b);
    expect(p.predicted(q('AAA'))).toBe(a);
    expect(p.predicted(q('AAA'))).toBeUndefined(); // AAA follows BBB, not itself
    p.series(q('AAA'));
    expect(p.predicted(q('bbb'))).toBeUndefined(); // another raw name (the checked path normalises it)
    expect(p.predicted(q('BBB', '1h'))).toBeUndefined();
    expect(p.predicted({ ...q('BBB'), status: {} } as never)).toBeUndefined();
    expect(p.predicted(null as never)).toBeUndefined();
    expect(p.predicted(q('BBB'))).toBe(b);
  });

  it('a guess the predicted path could not serve, parsed again by the checked path, keeps what follows it', () => {
    const p = new QueryParser('P');
    const a = p.series(q('AAA'));
    const b = p.series(q('BBB'));
    p.series(q('AAA'));
    expect(p.predicted(q('BBB'))).toBe(b); // the guess is taken…
    expect(p.series(q('BBB'))).toBe(b); // …but its range was not in memory: the checked path parses it again
    expect(p.predicted(q('AAA'))).toBe(a); // BBB → AAA is still known
  });
});

describe('time inputs', () => {
  it("strings longer than 'YYYY-MM-DD' are parsed whole, not as their first ten characters", () => {
    const p = new QueryParser('P');
    const at = (start: string) => p.start({ symbol: 'AAA', interval: '1d', start, end: start });
    expect(at('2024-01-02T15:00:00Z')).toBe(Date.parse('2024-01-02T15:00:00Z'));
    expect(at('2024-01-02T00:00:00+05:00')).toBe(Date.parse('2024-01-02T00:00:00+05:00'));
    expect(at('2024-01-02')).toBe(Date.UTC(2024, 0, 2));
    expect(() => at('2024-01-02x')).toThrow(/not a date/);
  });
});
