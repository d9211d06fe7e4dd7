/**
 * A second OS process for the warm-run test: runs the fixture's script through the plugin on the
 * cache dir argv[2] against the loopback server argv[3] and prints the result as one JSON line.
 * Run with: TSX_TSCONFIG_PATH=<this folder>/tsconfig.json node --import tsx pine-run.ts <dir> <url>
 */
import { runThroughPlugin } from '../pine-fixture.js';

const [dir, url] = process.argv.slice(2);
if (!dir || !url) throw new Error('usage: pine-run.ts <dir> <baseUrl>');
const result = await runThroughPlugin(dir, url);
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
