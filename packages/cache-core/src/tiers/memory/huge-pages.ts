import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Transparent huge pages for column memory, where the machine has them.
 *
 * Fresh memory costs one page fault per 4 KiB on its first write; on a VM each is ~10 µs, and a
 * warm load of 1.3 M bars writes 70 MB of columns: ~190 ms of faults, as long as reading the same
 * bytes from a file. With 2 MiB pages the same memory takes 512× fewer faults. Linux gives them:
 * - `always`: to every large enough anonymous mapping, no call needed;
 * - `madvise`: only to memory that asked with madvise(MADV_HUGEPAGE), which Node cannot call:
 *   native/huge-pages.c does (built by native/build.mjs where a C compiler exists);
 * - `never`, another OS, or `BARCACHE_HUGE_PAGES=off`: not at all.
 * Nothing here is needed for correctness: memory that gets no huge pages is ordinary memory.
 */
export interface HugePages {
  /** The kernel's THP mode (/sys/kernel/mm/transparent_hugepage/enabled). */
  readonly mode: 'always' | 'madvise';
  /** Asks for huge pages for the whole pages inside `region` (a no-op under `always`). */
  advise(region: Uint8Array): void;
  /**
   * Faults `region`'s pages in on a libuv thread (zeroed, writable), so that the thread which then
   * writes them takes no faults; resolves when done, or at once where that cannot be done.
   */
  populate(region: Uint8Array): Promise<void>;
}

/** Where the built module lies, from src/tiers/memory or dist/tiers/memory alike. */
export const HUGE_PAGES_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'native', 'build', 'huge-pages.node');
const THP_ENABLED = '/sys/kernel/mm/transparent_hugepage/enabled';

interface NativeHugePages {
  adviseHugePages(view: Uint8Array): number;
  populate(view: Uint8Array): Promise<number>;
}

/** The bracketed word of the sysfs file ("always [madvise] never" → madvise), or undefined. */
export function parseThpMode(text: string): string | undefined {
  return /\[(\w+)\]/.exec(text)?.[1];
}

/**
 * What this process can use, given the THP mode and a loader for the native module (both
 * injectable for tests). Undefined when huge pages cannot be had.
 */
export function resolveHugePages(mode: string | undefined, loadNative: () => NativeHugePages | undefined): HugePages | undefined {
  if (mode !== 'always' && mode !== 'madvise') return undefined;
  // Under "always" the module is optional (it only populates); under "madvise" it is the way in.
  const native = loadNative();
  if (native === undefined && mode === 'madvise') return undefined;
  return {
    mode,
    advise: (region) => {
      if (mode === 'madvise') native!.adviseHugePages(region); // an errno (a kernel that refuses) only leaves small pages
    },
    populate: async (region) => {
      if (native !== undefined) await native.populate(region); // an errno: the writer faults, as without
    },
  };
}

function readThpMode(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return parseThpMode(readFileSync(THP_ENABLED, 'utf8'));
  } catch {
    return undefined;
  }
}

function loadNativeModule(): NativeHugePages | undefined {
  try {
    const loaded = createRequire(import.meta.url)(HUGE_PAGES_MODULE) as Partial<NativeHugePages>;
    return typeof loaded.adviseHugePages === 'function' && typeof loaded.populate === 'function' ? (loaded as NativeHugePages) : undefined;
  } catch {
    return undefined; // not built here (no compiler, another OS): small pages
  }
}

let resolved: { value: HugePages | undefined } | undefined;

/** This process's huge pages (resolved once, on the first bulk load that could use them). */
export function hugePages(): HugePages | undefined {
  if (process.env.BARCACHE_HUGE_PAGES === 'off') return undefined;
  resolved ??= { value: resolveHugePages(readThpMode(), loadNativeModule) };
  return resolved.value;
}
