import { describe, expect, it } from 'vitest';
import { parsePlanFile } from '../../src/plan-file.js';
import { clearArgsSchema, explainArgsSchema, parseArgs, warmArgsSchema } from '../../src/command-args.js';

const NOW = Date.UTC(2024, 9, 15);

describe('plan files', () => {
  it('parses a plan and normalises symbols', () => {
    const r = parsePlanFile(
      JSON.stringify({ name: 'momentum', symbols: ['spy', 'QQQ', 'spy'], interval: '1d', start: '2020-01-01', end: '2024-12-31', lookback: { bars: 200 } }),
      NOW,
    );
    expect(r).toEqual({
      ok: true,
      plan: { name: 'momentum', symbols: ['SPY', 'QQQ'], interval: '1d', start: '2020-01-01', end: '2024-12-31', lookback: { bars: 200 } },
    });
  });
  it('accepts $schema and ISO date-times', () => {
    const r = parsePlanFile(JSON.stringify({ $schema: './x.json', symbols: ['AAPL'], interval: '5m', start: '2024-10-01T13:30:00Z', end: '2024-10-02T20:00:00Z' }), NOW);
    expect(r.ok).toBe(true);
  });
  it('names what is wrong', () => {
    expect(parsePlanFile('{ nope', NOW)).toMatchObject({ ok: false, message: expect.stringMatching(/not valid JSON/) });
    expect(parsePlanFile(JSON.stringify({ symbols: [], interval: '1d', start: '2024-01-01', end: '2024-02-01' }), NOW)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/symbols: list at least one symbol/),
    });
    expect(parsePlanFile(JSON.stringify({ symbols: ['SPY'], interval: '1y', start: '2024-01-01', end: '2024-02-01' }), NOW)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^interval/),
    });
    expect(parsePlanFile(JSON.stringify({ symbols: ['SPY'], interval: '1d', start: '2024-02-30', end: '2024-03-01' }), NOW)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^start: .*calendar/),
    });
    expect(parsePlanFile(JSON.stringify({ symbols: ['SPY'], interval: '1d', start: '2024-03-01', end: '2024-02-01' }), NOW)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/after end/),
    });
    expect(parsePlanFile(JSON.stringify({ symbols: ['S P Y!'], interval: '1d', start: '2024-01-01', end: '2024-02-01' }), NOW)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^symbols: Not a ticker/),
    });
    expect(parsePlanFile(JSON.stringify({ symbols: ['SPY'], interval: '1d', start: '2024-01-01', end: '2024-02-01', extra: 1 }), NOW)).toMatchObject({ ok: false });
    expect(parsePlanFile(JSON.stringify({ symbols: ['SPY'], interval: '1d', start: '2024-01-01', end: '2024-02-01', lookback: { bars: -1 } }), NOW)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^lookback\.bars/),
    });
  });
});

describe('command args', () => {
  it('warm takes a string or a list of symbols', () => {
    expect(parseArgs(warmArgsSchema, { symbols: ['SPY', 'QQQ'], interval: '1d', start: '2024-01-01', end: '2024-02-01' })).toMatchObject({
      ok: true,
      value: { symbols: 'SPY,QQQ' },
    });
    expect(parseArgs(warmArgsSchema, { symbols: 'SPY' })).toMatchObject({ ok: true });
    expect(parseArgs(warmArgsSchema, { interval: '1d' })).toMatchObject({ ok: false, message: expect.stringMatching(/^symbols/) });
    expect(parseArgs(warmArgsSchema, { symbols: 'SPY', bogus: 1 })).toMatchObject({ ok: false });
  });
  it('clear must say what to clear, and all excludes filters', () => {
    expect(parseArgs(clearArgsSchema, {})).toMatchObject({ ok: false, message: expect.stringMatching(/say what to clear/) });
    expect(parseArgs(clearArgsSchema, { all: true, confirm: false })).toMatchObject({ ok: true });
    expect(parseArgs(clearArgsSchema, { all: true, symbol: 'SPY' })).toMatchObject({ ok: false, message: expect.stringMatching(/cannot be combined/) });
    expect(parseArgs(clearArgsSchema, { symbol: 'SPY', interval: '1d', before: '2024-01-01' })).toMatchObject({ ok: true });
  });
  it('explain needs a symbol and a range', () => {
    expect(parseArgs(explainArgsSchema, { symbol: 'SPY', start: '2024-01-01', end: '2024-02-01' })).toMatchObject({ ok: true });
    expect(parseArgs(explainArgsSchema, { symbol: 'SPY' })).toMatchObject({ ok: false });
  });
});
