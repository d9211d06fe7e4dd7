import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader } from '../src/tiers/disk/shared-dir/frames.js';

describe('store protocol frames', () => {
  it('reassemble whatever the chunking: headers and blobs come back as sent', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ n: fc.integer(), s: fc.string() }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        (headers, blobs, cuts) => {
          const bytes = Buffer.concat(headers.flatMap((h) => encodeFrame(h, blobs)));
          const reader = new FrameReader();
          const frames = [];
          let pos = 0;
          for (let i = 0; pos < bytes.length; i++) {
            const n = cuts[i % cuts.length]!;
            frames.push(...reader.push(bytes.subarray(pos, pos + n)));
            pos += n;
          }
          expect(frames).toHaveLength(headers.length);
          frames.forEach((f, i) => {
            expect(f.header.n).toBe(headers[i]!.n);
            expect(f.header.s).toBe(headers[i]!.s);
            expect(f.blobs.map((b) => [...b])).toEqual(blobs.map((b) => [...b]));
          });
        },
      ),
    );
  });

  it('refuses a malformed frame instead of waiting forever', () => {
    const bad = Buffer.alloc(8);
    bad.writeUInt32BE(4, 0);
    bad.writeUInt32BE(100, 4); // header longer than the body
    expect(() => new FrameReader().push(bad)).toThrow(RangeError);
    const huge = Buffer.alloc(8);
    huge.writeUInt32BE(0xffffffff, 0);
    expect(() => new FrameReader().push(huge)).toThrow(RangeError);
  });
});
