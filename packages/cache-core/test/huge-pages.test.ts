// Huge pages: which THP modes give them and how, and the native module itself against the real
// kernel (the kernel's own count of huge pages in this process, from /proc/self/smaps_rollup).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { HUGE_PAGES_MODULE, parseThpMode, resolveHugePages } from '../src/tiers/memory/huge-pages.js';

const MiB = 2 ** 20;

describe('parseThpMode', () => {
  it('takes the bracketed word of the sysfs file', () => {
    expect(parseThpMode('always [madvise] never\n')).toBe('madvise');
    expect(parseThpMode('[always] madvise never\n')).toBe('always');
    expect(parseThpMode('always madvise [never]\n')).toBe('never');
    expect(parseThpMode('')).toBeUndefined();
  });
});

describe('resolveHugePages', () => {
  /** A stand-in for the native module (the kernel is outside our control): records its calls. */
  const native = (advised: Uint8Array[], populated: Uint8Array[] = [], result = 0) => () => ({
    adviseHugePages: (view: Uint8Array) => {
      advised.push(view);
      return result;
    },
    populate: async (view: Uint8Array) => {
      populated.push(view);
      return result;
    },
  });

  it('under "always" advises nothing, populates through the module when there is one, and works without it', async () => {
    const advised: Uint8Array[] = [];
    const populated: Uint8Array[] = [];
    const huge = resolveHugePages('always', native(advised, populated));
    expect(huge?.mode).toBe('always');
    const region = new Uint8Array(8);
    huge!.advise(region);
    await huge!.populate(region);
    expect(advised).toHaveLength(0);
    expect(populated).toEqual([region]);
    const bare = resolveHugePages('always', () => undefined);
    expect(bare?.mode).toBe('always');
    await bare!.populate(region);
  });

  it('under "madvise" advises and populates through the native module, and has none without it', async () => {
    const advised: Uint8Array[] = [];
    const populated: Uint8Array[] = [];
    const huge = resolveHugePages('madvise', native(advised, populated));
    expect(huge?.mode).toBe('madvise');
    const region = new Uint8Array(16);
    huge!.advise(region);
    await huge!.populate(region);
    expect(advised).toEqual([region]);
    expect(populated).toEqual([region]);
    expect(resolveHugePages('madvise', () => undefined)).toBeUndefined();
  });

  it('under "never", or with no THP at all, there are none (and the module is not loaded)', () => {
    for (const mode of ['never', undefined, 'something-new']) {
      expect(
        resolveHugePages(mode, () => {
          throw new Error('must not load the module');
        }),
      ).toBeUndefined();
    }
  });

  it('an errno from the kernel (it refuses) leaves ordinary memory and throws nothing', async () => {
    const huge = resolveHugePages('madvise', native([], [], 22));
    expect(() => huge!.advise(new Uint8Array(4096))).not.toThrow();
    await expect(huge!.populate(new Uint8Array(4096))).resolves.toBeUndefined();
  });
});

const thpMode = (() => {
  try {
    return parseThpMode(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'));
  } catch {
    return undefined;
  }
})();
const built = existsSync(HUGE_PAGES_MODULE);

describe.runIf(process.platform === 'linux' && built)('the native module (native/huge-pages.c)', () => {
  const mod = createRequire(import.meta.url)(HUGE_PAGES_MODULE) as { adviseHugePages(view: unknown): number; populate(view: unknown): Promise<number> };

  const anonHugeBytes = () => Number(/AnonHugePages:\s+(\d+) kB/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1] ?? 0) * 1024;
  /**
   * Every buffer these tests fill stays referenced until the file ends. The count is the whole
   * process's: a GC that freed an earlier test's huge pages between two reads would cancel out the
   * pages being measured (seen under CI: 14 MiB freed, 14 MiB populated, a difference of 0).
   */
  const held: Uint8Array[] = [];
  const sharedBytes = (bytes: number) => {
    const view = new Uint8Array(new SharedArrayBuffer(bytes));
    held.push(view);
    return view;
  };

  it('takes an ArrayBuffer, a SharedArrayBuffer through a view, and typed arrays; refuses anything else', () => {
    expect(mod.adviseHugePages(new ArrayBuffer(100))).toBe(0); // no whole page inside: nothing to do
    expect(mod.adviseHugePages(sharedBytes(4 * MiB))).toBe(0);
    expect(mod.adviseHugePages(new Float64Array(MiB).subarray(1000, 200_000))).toBe(0);
    expect(() => mod.adviseHugePages({})).toThrow(TypeError);
    expect(() => mod.adviseHugePages(new SharedArrayBuffer(8))).toThrow(TypeError);
    expect(() => mod.populate('a string')).toThrow(TypeError);
  });

  it.runIf(thpMode === 'madvise')('under "madvise", advised memory is backed by huge pages once written, and unadvised memory is not', () => {
    const write = (view: Uint8Array) => {
      for (let i = 0; i < view.length; i += 4096) view[i] = 1;
    };
    const plain = sharedBytes(16 * MiB);
    const before = anonHugeBytes();
    write(plain);
    const afterPlain = anonHugeBytes();
    const advised = sharedBytes(16 * MiB);
    expect(mod.adviseHugePages(advised)).toBe(0);
    write(advised);
    const afterAdvised = anonHugeBytes();
    expect(afterPlain - before).toBe(0);
    // 16 MiB not aligned to 2 MiB holds at least 7 whole huge pages.
    expect(afterAdvised - afterPlain).toBeGreaterThanOrEqual(7 * 2 * MiB);
    expect(plain[0]! + advised[advised.length - 4096]!).toBe(2);
  });

  it.runIf(thpMode === 'madvise')('populate maps an advised buffer in huge pages on another thread, with nothing written', async () => {
    const advised = sharedBytes(16 * MiB);
    expect(mod.adviseHugePages(advised)).toBe(0);
    const before = anonHugeBytes();
    await expect(mod.populate(advised)).resolves.toBe(0);
    expect(anonHugeBytes() - before).toBeGreaterThanOrEqual(7 * 2 * MiB);
    expect(advised.every((b) => b === 0)).toBe(true);
  });
});
