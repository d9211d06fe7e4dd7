import { describe, expect, it } from 'vitest';
import { RateLimitGate, RateLimitedUntil, STORM_STRIKES } from '../src/provider/rate-limit-gate.js';

/** A gate on a fake clock: sleeping advances the clock (after yielding, so others can run). */
function fakeGate(opts: { baseDelayMs?: number; maxCooldownMs?: number } = {}) {
  const clock = { now: 1_000_000 };
  const sleeps: number[] = [];
  const gate = new RateLimitGate({
    baseDelayMs: opts.baseDelayMs ?? 100,
    maxCooldownMs: opts.maxCooldownMs ?? 10_000,
    now: () => clock.now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      await new Promise((r) => setImmediate(r));
      clock.now += ms;
    },
  });
  return { gate, clock, sleeps };
}

describe('RateLimitGate', () => {
  it('lets requests through while nobody is rate-limited', async () => {
    const { gate, sleeps } = fakeGate();
    const t = await gate.enter(Infinity);
    expect(t.throttled).toBe(false);
    t.done('ok');
    expect(gate.retryAt).toBeUndefined();
    expect(sleeps).toEqual([]);
  });

  it('a 429 starts one cooldown for everyone; 429s of requests already in flight are the same strike', async () => {
    const { gate, clock } = fakeGate({ baseDelayMs: 100 });
    const inFlight = await Promise.all([gate.enter(Infinity), gate.enter(Infinity), gate.enter(Infinity)]);
    for (const t of inFlight) t.done('limited');
    // One strike: 100 ms, not 100·2·2.
    expect(gate.retryAt).toBe(clock.now + 100);
  });

  it('doubles the cooldown per 429 in a row, honours a longer Retry-After, caps both', async () => {
    const { gate, clock } = fakeGate({ baseDelayMs: 100, maxCooldownMs: 1000 });
    const cooldowns: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t = await gate.enter(Infinity);
      const at = clock.now;
      t.done('limited');
      cooldowns.push(gate.retryAt! - at);
    }
    expect(cooldowns).toEqual([100, 200, 400, 800, 1000, 1000]);
    const t = await gate.enter(Infinity);
    t.done('ok');
    const again = await gate.enter(Infinity);
    const at = clock.now;
    again.done('limited', 700);
    expect(gate.retryAt! - at).toBe(700);
    expect(gate.askedMs).toBe(700);
  });

  it('refuses at once, saying when, a request whose deadline ends before the cooldown', async () => {
    const { gate, clock, sleeps } = fakeGate({ maxCooldownMs: 60_000 });
    (await gate.enter(Infinity)).done('limited', 3_600_000);
    const err = await gate.enter(clock.now + 30_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedUntil);
    expect((err as RateLimitedUntil).retryAt).toBe(clock.now + 60_000);
    expect((err as RateLimitedUntil).askedMs).toBe(3_600_000);
    expect(sleeps).toEqual([]);
  });

  it('after a cooldown one request probes while the others wait for its outcome', async () => {
    const { gate, clock } = fakeGate({ baseDelayMs: 100 });
    (await gate.enter(Infinity)).done('limited');
    const order: string[] = [];
    const a = gate.enter(Infinity).then((t) => (order.push('a'), t));
    const b = gate.enter(Infinity).then((t) => (order.push('b'), t));
    const first = await Promise.race([a, b]);
    expect(first.throttled).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toHaveLength(1); // the other waits for the probe
    first.done('ok');
    const second = await (order[0] === 'a' ? b : a);
    expect(order).toHaveLength(2);
    second.done('ok');
    expect(gate.retryAt).toBeUndefined();
  });

  it('a probe answered 429 again sends the waiters back into a longer cooldown', async () => {
    const { gate, clock } = fakeGate({ baseDelayMs: 100 });
    (await gate.enter(Infinity)).done('limited');
    const probe = await gate.enter(Infinity);
    const waiter = gate.enter(clock.now + 150);
    probe.done('limited'); // cooldown 200 ms now: past the waiter's deadline
    await expect(waiter).rejects.toBeInstanceOf(RateLimitedUntil);
  });

  it('an abort while waiting rejects with the reason', async () => {
    const { gate } = fakeGate({ baseDelayMs: 100 });
    (await gate.enter(Infinity)).done('limited');
    const reason = new Error('stop');
    await expect(gate.enter(Infinity, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});

describe('RateLimitGate in an established storm', () => {
  it(`refuses new requests at once during a cooldown after ${STORM_STRIKES} 429s in a row; waiting ones keep probing`, async () => {
    const { gate, clock, sleeps } = fakeGate({ baseDelayMs: 100, maxCooldownMs: 10_000 });
    for (let i = 0; i < STORM_STRIKES; i++) (await gate.enter(Infinity)).done('limited');
    const retryAt = gate.retryAt!;
    const before = sleeps.length;
    const fresh = await gate.enter(clock.now + 60_000, undefined, true).catch((e: unknown) => e);
    expect(fresh).toBeInstanceOf(RateLimitedUntil);
    expect((fresh as RateLimitedUntil).retryAt).toBe(retryAt);
    expect(sleeps.length).toBe(before); // no wait
    // A request already in its retries (not fresh) still waits for the cooldown and probes.
    const patient = await gate.enter(clock.now + 60_000);
    expect(patient.throttled).toBe(true);
    patient.done('ok');
    // The storm is over: fresh requests go through again.
    expect((await gate.enter(Infinity, undefined, true)).throttled).toBe(false);
  });
});
