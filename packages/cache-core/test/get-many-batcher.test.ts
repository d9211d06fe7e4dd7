// Reads asked in one turn go out as one getMany (split at the key bound), and each caller gets
// exactly its own keys' values, in its order; a failed call fails every caller in it and no other.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GetManyBatcher } from '../src/tiers/disk/get-many-batcher.js';
import { TurnBatcher } from '../src/tiers/disk/turn-batcher.js';

/** A store: value = key × 10, or undefined for negative keys; records each call's keys. */
function store(fail?: (keys: number[]) => boolean) {
  const calls: number[][] = [];
  const getMany = async (keys: number[]) => {
    calls.push(keys);
    await new Promise((r) => setTimeout(r, 1));
    if (fail?.(keys)) throw new Error(`failed ${keys.join(',')}`);
    return keys.map((k) => (k < 0 ? undefined : k * 10));
  };
  return { calls, getMany };
}

describe('GetManyBatcher', () => {
  it('one call per turn within the bound; every caller gets its own values, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.integer({ min: -5, max: 1000 }), { maxLength: 12 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 30 }), async (requests, maxKeys) => {
        const s = store();
        const batcher = new GetManyBatcher(s.getMany, maxKeys);
        const answers = await Promise.all(requests.map((keys) => batcher.get(keys)));
        answers.forEach((values, i) => expect(values).toEqual(requests[i]!.map((k) => (k < 0 ? undefined : k * 10))));
        // Every key asked exactly once, in the callers' order, in calls within the bound (a single
        // caller over the bound still goes whole).
        expect(s.calls.flat()).toEqual(requests.flat());
        for (const call of s.calls) if (call.length > maxKeys) expect(requests.some((r) => r.length === call.length && r.length > maxKeys)).toBe(true);
        const total = requests.reduce((n, r) => n + r.length, 0);
        expect(s.calls.length).toBeLessThanOrEqual(Math.max(1, requests.length));
        if (requests.every((r) => r.length <= maxKeys)) expect(s.calls.length).toBeGreaterThanOrEqual(Math.ceil(total / maxKeys));
      }),
      { numRuns: 100 },
    );
  });

  it('gathers the asks of one turn, and starts a new call for asks made after it went out', async () => {
    const s = store();
    const batcher = new GetManyBatcher(s.getMany, 100);
    const first = Promise.all([batcher.get([1, 2]), batcher.get([3])]);
    await first;
    await batcher.get([4]);
    expect(s.calls).toEqual([[1, 2, 3], [4]]);
  });

  it('a failed call rejects each of its callers, and only them', async () => {
    const s = store((keys) => keys.includes(13));
    const batcher = new GetManyBatcher(s.getMany, 3);
    const results = await Promise.allSettled([batcher.get([1, 2]), batcher.get([13]), batcher.get([5, 6, 7]), batcher.get([8])]);
    // Calls: [1,2,13] fails; [5,6,7] and [8] are others.
    expect(s.calls).toEqual([[1, 2, 13], [5, 6, 7], [8]]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('failed 1,2,13');
  });
});

describe('answers that do not add up', () => {
  it('a getMany that returns fewer values than keys fails its callers instead of handing out short answers', async () => {
    const batcher = new GetManyBatcher<number, number>(async (keys) => keys.slice(1).map((k) => k * 10), 100);
    const results = await Promise.allSettled([batcher.get([1, 2]), batcher.get([3])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/2 values for 3 keys/);
  });

  it('a batch run that answers fewer requests than it was given fails each of them', async () => {
    const batcher = new TurnBatcher<number, number>(async (requests) => requests.slice(1), 10);
    const results = await Promise.allSettled([batcher.request(1), batcher.request(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
