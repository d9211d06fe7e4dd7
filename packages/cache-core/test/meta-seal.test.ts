// A meta's checksum is the CRC-32 of its JSON's UTF-8 bytes, however the string is handed over:
// the string itself (zlib encodes it) and its encoded bytes give the same sum, for any text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Text, tableCrc32 } from '../src/tiers/disk/bar-block-format.js';
import { sealMeta, unsealMeta } from '../src/tiers/disk/meta-seal.js';

describe('crc32Text', () => {
  it('equals the CRC-32 of the UTF-8 bytes, lone surrogates included', () => {
    const utf8 = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const bytes = utf8.encode(text);
        expect(crc32Text(text)).toBe(crc32(bytes));
        expect(crc32Text(text)).toBe(tableCrc32(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('sealMeta / unsealMeta', () => {
  it('round-trips any meta-shaped JSON, and rejects it with any one character changed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.nat(), (symbol, at) => {
        const json = JSON.stringify({ symbol, ledger: { final: [], provisional: [] }, blocks: [] });
        const sealed = sealMeta(json);
        expect(unsealMeta(sealed)?.json).toBe(json);
        const i = 9 + (at % json.length);
        const changed = sealed.slice(0, i) + (sealed[i] === 'x' ? 'y' : 'x') + sealed.slice(i + 1);
        expect(unsealMeta(changed)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});
