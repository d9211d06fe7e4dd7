import { describe, expect, it } from 'vitest';
import { clearArgsSchema, parseArgs, warmArgsSchema } from '../../src/command-args.js';

describe('command arguments (automation)', () => {
  it('warm takes symbols, interval, range, lookback and quiet', () => {
    const r = parseArgs(warmArgsSchema, { symbols: ['SPY', 'QQQ'], interval: '1d', start: '2024-01-02', end: 1_717_000_000_000, lookback: { bars: 20 }, quiet: false });
    expect(r).toEqual({ ok: true, value: { symbols: 'SPY,QQQ', interval: '1d', start: '2024-01-02', end: 1_717_000_000_000, lookback: { bars: 20 }, quiet: false } });
  });

  it('warm has no test knobs: cancelling belongs to the test hooks, not to an argument', () => {
    for (const knob of ['cancelAfterMs', 'cancelAfterSymbols']) {
      const r = parseArgs(warmArgsSchema, { symbols: 'SPY', [knob]: 1 });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(new RegExp(`[Uu]nrecognized key.*${knob}`));
    }
  });

  it('clear says what is missing or contradictory', () => {
    expect(parseArgs(clearArgsSchema, {})).toMatchObject({ ok: false, message: expect.stringMatching(/say what to clear/) });
    expect(parseArgs(clearArgsSchema, { all: true, symbol: 'SPY' })).toMatchObject({ ok: false, message: expect.stringMatching(/cannot be combined/) });
  });
});
