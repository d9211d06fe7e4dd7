// Opens a cache dir and holds it until killed (or stdin closes): "another process" for lock tests.
import { openCache, YahooProvider } from '../../src/index.js';

const [dir, baseUrl] = process.argv.slice(2);
const cache = await openCache({ dir: dir!, provider: new YahooProvider({ baseUrl: baseUrl! }), processLabel: 'hold-cache test process' });
process.stdout.write(`ready ${process.pid}\n`);
process.stdin.resume();
process.stdin.on('end', () => void cache.close().then(() => process.exit(0)));
