/**
 * One fresh process of the import figure: imports one module (or nothing) and prints one JSON line,
 * `{ importMs, sinceStartMs }`: the `import()` alone, and the time since the process started
 * (`performance.now()` counts from Node's time origin, before any of our code runs).
 *
 *   node import-process.js none|level|cache-core
 */
const what = process.argv[2];
const specifier = what === 'level' ? 'level' : what === 'cache-core' ? '@barcache/cache-core' : undefined;
if (what !== 'none' && specifier === undefined) throw new Error(`import-process: unknown target ${String(what)}`);
const started = performance.now();
if (specifier !== undefined) await import(specifier);
const importMs = specifier === undefined ? 0 : performance.now() - started;
process.stdout.write(`${JSON.stringify({ importMs, sinceStartMs: performance.now() })}\n`);
