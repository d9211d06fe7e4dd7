// Warms symbols one after another, printing after each commit, until killed: used to kill a
// process in the middle of writing and check what survives.
import { openCache, YahooProvider } from '../../src/index.js';

const [dir, baseUrl] = process.argv.slice(2);
const cache = await openCache({
  dir: dir!,
  provider: new YahooProvider({ baseUrl: baseUrl! }),
  now: () => Date.parse('2025-03-03T21:00:00Z'),
});
for (let i = 0; ; i++) {
  const symbol = `W${i}`;
  await cache.getBars({ symbol, interval: '1d', start: '2005-01-01', end: '2024-12-31' });
  process.stdout.write(`committed ${symbol}\n`);
}
