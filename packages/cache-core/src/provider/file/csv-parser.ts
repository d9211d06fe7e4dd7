/**
 * csv-parse, loaded on first use (importing the package does not load it). The async paths
 * (`FileProvider`, `readPriceFiles`, `barcache import`) call `loadCsvParser()` first, an `import()`
 * a bundler can follow; `parsePriceFile` called on its own before that requires it synchronously.
 */
import { createRequire } from 'node:module';

type CsvSync = typeof import('csv-parse/sync');

let loaded: CsvSync | undefined;

/** Loads csv-parse ahead of a synchronous parse. */
export async function loadCsvParser(): Promise<void> {
  loaded ??= await import('csv-parse/sync');
}

/** csv-parse's synchronous API: the module loaded by `loadCsvParser`, else required now. */
export function csvParser(): CsvSync {
  loaded ??= createRequire(import.meta.url)('csv-parse/sync') as CsvSync;
  return loaded;
}
