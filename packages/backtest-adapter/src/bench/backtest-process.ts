/**
 * The toy backtest (backtest-micro.ts) in a process of its own, as a user's backtest runs: in a
 * process that has run the bench's other sections, the cache's code is compiled for their callers
 * too, and the same loop measured 0.05–0.1× C slower. The floor and Barcache still run side by
 * side in this one process. Prints one JSON line (BacktestFigures).
 *
 *   node backtest-process.js '{"dir":…,"concurrency":50}'
 */
import { backtestMicro } from './backtest-micro.js';
import { SimulatedProvider } from './sources/simulated-provider.js';

const job = JSON.parse(process.argv[2] ?? '{}') as { dir: string; concurrency: number };
const figures = await backtestMicro(job.dir, new SimulatedProvider(0, job.concurrency));
process.stdout.write(`${JSON.stringify(figures)}\n`);
