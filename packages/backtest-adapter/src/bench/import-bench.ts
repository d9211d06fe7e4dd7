/**
 * What `import('@barcache/cache-core')` costs a user who passes their own provider, read side by
 * side with what it is made of: N fresh processes each of
 * - a process importing nothing (Node's own start),
 * - a process importing `level` alone (the disk store's library, loaded on first `openCache`),
 * - a process importing `@barcache/cache-core`,
 * interleaved round by round (a slow spell on a shared machine hits all three alike); medians.
 * Target: the cache-core `import()` ≤ 80 ms.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';

export const IMPORT_TARGET_MS = 80;

const PROCESS = fileURLToPath(new URL('./import-process.js', import.meta.url));
const TARGETS = ['none', 'level', 'cache-core'] as const;
type Target = (typeof TARGETS)[number];

export interface ImportFigure {
  /** Median of the `import()` alone, measured inside the process, ms (0 for `none`). */
  importMs: number;
  /** Median of the time from the process's start to the import's end (Node's own clock), ms. */
  sinceStartMs: number;
  /** Median wall time from spawn to exit, seen from the bench, ms. */
  processMs: number;
}

export interface ImportFigures {
  processes: number;
  none: ImportFigure;
  level: ImportFigure;
  cacheCore: ImportFigure;
  targetMs: number;
}

interface Run {
  importMs: number;
  sinceStartMs: number;
  processMs: number;
}

function once(target: Target): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [PROCESS, target], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('exit', (code) => {
      const processMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`import-process ${target} failed (${code}): ${err}`));
      const line = JSON.parse(out.trim().split('\n').at(-1)!) as { importMs: number; sinceStartMs: number };
      resolve({ ...line, processMs });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function figure(runs: Run[]): ImportFigure {
  return { importMs: median(runs.map((r) => r.importMs)), sinceStartMs: median(runs.map((r) => r.sinceStartMs)), processMs: median(runs.map((r) => r.processMs)) };
}

export async function importBench(options: { processes: number; log: (s: string) => void }): Promise<ImportFigures> {
  const runs: Record<Target, Run[]> = { none: [], level: [], 'cache-core': [] };
  // One warm-up round (file system cache, compiled code cache), not counted.
  for (const t of TARGETS) await once(t);
  for (let i = 0; i < options.processes; i++) {
    for (const t of TARGETS) runs[t].push(await once(t));
  }
  const figures: ImportFigures = {
    processes: options.processes,
    none: figure(runs.none),
    level: figure(runs.level),
    cacheCore: figure(runs['cache-core']),
    targetMs: IMPORT_TARGET_MS,
  };
  options.log(`  import(): level ${figures.level.importMs.toFixed(1)} ms, @barcache/cache-core ${figures.cacheCore.importMs.toFixed(1)} ms`);
  return figures;
}

export function formatImport(f: ImportFigures): string {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const table = new Table({ head: ['fresh process importing', 'import()', 'start → import done', 'spawn → exit'] });
  table.push(
    ['nothing (Node\'s own start)', '–', ms(f.none.sinceStartMs), ms(f.none.processMs)],
    ['level alone', ms(f.level.importMs), ms(f.level.sinceStartMs), ms(f.level.processMs)],
    ['@barcache/cache-core', ms(f.cacheCore.importMs), ms(f.cacheCore.sinceStartMs), ms(f.cacheCore.processMs)],
  );
  const met = f.cacheCore.importMs <= f.targetMs;
  return [
    `import('@barcache/cache-core') with a custom provider: medians of ${f.processes} fresh processes each, interleaved`,
    table.toString(),
    `cache-core import(): ${ms(f.cacheCore.importMs)} (target ≤ ${f.targetMs} ms ${met ? '✓' : '✗'}); ` +
      `${(f.cacheCore.importMs / Math.max(f.level.importMs, 1e-9)).toFixed(2)}× importing level alone; ` +
      `its process exits ${ms(f.cacheCore.processMs - f.none.processMs)} after one importing nothing`,
  ].join('\n');
}
