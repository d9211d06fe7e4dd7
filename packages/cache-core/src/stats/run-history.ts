/**
 * The run history: the final figures of the last processes that used a cache dir, one small file
 * each in `<dir>/stats/runs/` (`<endedAt>-<pid>.json`, written atomically: temp file, then
 * rename), so that `barcache stats` and the VS Code stats view can show what a warm, an import or
 * a backtest did after it exited. Bounded: each write keeps the newest `keep` files.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { combineStats, type AggregateStats } from './stats-aggregate.js';
import { runsDirOf, type RunRecord } from './snapshot-schema.js';

/** How many runs a cache dir remembers. */
export const RUN_HISTORY_SIZE = 20;

const RUN_FILE = /^(\d{13,})-(\d+)\.json$/;

function fileName(run: RunRecord): string {
  return `${String(run.endedAt).padStart(13, '0')}-${run.pid}.json`;
}

/** Oldest first; only finished run files (not temp files). */
function runFiles(names: readonly string[]): string[] {
  return names.filter((n) => RUN_FILE.test(n)).sort();
}

/** Writes one run and drops the oldest beyond `keep`. Never throws (a failed write is returned). */
export async function recordRun(dir: string, run: RunRecord, keep = RUN_HISTORY_SIZE): Promise<unknown> {
  const folder = runsDirOf(dir);
  const target = join(folder, fileName(run));
  const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(folder, { recursive: true });
    await writeFile(tmp, JSON.stringify(run));
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    return err;
  }
  const names = runFiles(await readdir(folder).catch(() => []));
  for (const old of names.slice(0, Math.max(0, names.length - keep))) await unlink(join(folder, old)).catch(() => undefined);
  return undefined;
}

/** recordRun for `process.on('exit')` handlers. */
export function recordRunSync(dir: string, run: RunRecord, keep = RUN_HISTORY_SIZE): unknown {
  const folder = runsDirOf(dir);
  const target = join(folder, fileName(run));
  const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(tmp, JSON.stringify(run));
    renameSync(tmp, target);
    const names = runFiles(readdirSync(folder));
    for (const old of names.slice(0, Math.max(0, names.length - keep))) {
      try {
        unlinkSync(join(folder, old));
      } catch {
        // another process pruned it
      }
    }
    return undefined;
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // never written
    }
    return err;
  }
}

/**
 * The remembered runs, newest first (at most `limit`). Files that are unreadable or do not match
 * the schema are skipped; a dir without history gives [].
 */
export async function readRunHistory(dir: string, options: { limit?: number } = {}): Promise<RunRecord[]> {
  const folder = runsDirOf(dir);
  const names = runFiles(await readdir(folder).catch(() => [])).reverse().slice(0, options.limit ?? RUN_HISTORY_SIZE);
  const runs = await Promise.all(
    names.map(async (n) => {
      try {
        const { runRecordSchema } = await import('./snapshot-validation.js');
        const parsed = runRecordSchema.safeParse(JSON.parse(await readFile(join(folder, n), 'utf8')));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return runs.filter((r): r is RunRecord => r !== undefined);
}

/** The remembered runs summed (combineStats' rules; each run is its own process). */
export function sumRuns(runs: readonly RunRecord[]): AggregateStats {
  return combineStats(runs.map((r) => ({ stats: r.stats, dir: r.dir, process: `${r.pid}@${r.hostname}@${r.startedAt}`, at: r.endedAt })));
}
