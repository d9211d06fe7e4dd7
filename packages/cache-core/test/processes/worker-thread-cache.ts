// Runs inside a worker thread: opens the cache dir given in workerData, reads a range, and posts
// back the bars and whether the dir's leader is this process.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { openCache, YahooProvider } from '../../src/index.js';

const { dir, baseUrl } = workerData as { dir: string; baseUrl: string };
const cache = await openCache({ dir, provider: new YahooProvider({ baseUrl }), statsSnapshots: false });
const bars = await cache.getBars({ symbol: 'THREAD', interval: '1d', start: '2024-01-02', end: '2024-03-28' });
const leader = (JSON.parse(readFileSync(path.join(dir, 'leader.json'), 'utf8')) as { pid: number }).pid;
await cache.close();
parentPort!.postMessage({ bars: bars.length, leader });
