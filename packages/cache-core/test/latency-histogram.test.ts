import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../src/stats/latency-histogram.js';

/** The exact q-quantile: the sample of rank ceil(q × n). */
function exact(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/** Bucketed values are within 3.2 % of the truth, or 1 µs for tiny ones. */
function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= Math.max(0.001, expected * 0.032);
}

describe('LatencyHistogram', () => {
  it('is empty at first', () => {
    const h = new LatencyHistogram();
    expect([h.count, h.max, h.min, h.mean, h.quantile(0.5), h.quantile(1)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(h.summary()).toEqual({ count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 });
  });
  it('one sample is every quantile', () => {
    const h = new LatencyHistogram();
    h.record(12.5);
    expect(h.quantile(0)).toBe(12.5);
    expect(h.quantile(0.5)).toBe(12.5);
    expect(h.quantile(0.99)).toBe(12.5);
    expect(h.max).toBe(12.5);
  });
  it('p50/p99 of 1..1000 ms within 3.2 %, max exact', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    expect(h.count).toBe(1000);
    expect(close(h.quantile(0.5), 500)).toBe(true);
    expect(close(h.quantile(0.99), 990)).toBe(true);
    expect(h.quantile(1)).toBe(1000);
    expect(h.max).toBe(1000);
    expect(h.mean).toBeCloseTo(500.5, 6);
  });
  it('sub-millisecond samples (L1 hits) keep µs resolution', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 100; i++) h.record(0.004);
    h.record(0.05);
    expect(h.quantile(0.5)).toBeCloseTo(0.004, 6);
    expect(h.quantile(1)).toBe(0.05);
  });
  it('negative and NaN count as 0; huge samples land in the top bucket with an exact max', () => {
    const h = new LatencyHistogram();
    h.record(-5);
    h.record(Number.NaN);
    h.record(1e10);
    expect(h.count).toBe(3);
    expect(h.max).toBe(1e10);
    expect(h.quantile(0.5)).toBe(0);
    expect(h.quantile(0.99)).toBeLessThanOrEqual(1e10);
    expect(h.quantile(0.99)).toBeGreaterThan(4e6); // ~71 min cap, in ms
  });
  it('merge and reset', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 0; i < 10; i++) a.record(1);
    for (let i = 0; i < 10; i++) b.record(100);
    a.merge(b);
    expect(a.count).toBe(20);
    expect(a.max).toBe(100);
    expect(close(a.quantile(0.25), 1)).toBe(true);
    expect(close(a.quantile(0.75), 100)).toBe(true);
    a.reset();
    expect(a.summary()).toEqual({ count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 });
  });
  it('property: every quantile is within 3.2 % (or 1 µs) of the exact one and inside [min, max]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 60_000, noNaN: true })), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (samples, q) => {
          const h = new LatencyHistogram();
          for (const s of samples) h.record(s);
          const got = h.quantile(q);
          expect(close(got, exact(samples, q))).toBe(true);
          expect(got).toBeLessThanOrEqual(Math.max(...samples));
          expect(got).toBeGreaterThanOrEqual(Math.min(...samples));
        },
      ),
      { numRuns: 500 },
    );
  });
});
