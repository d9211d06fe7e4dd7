/**
 * The benchmark's provider: test-support's loopback Yahoo chart server with simulated latency,
 * in its own process so its work (making up bars, writing JSON) does not share a core with the
 * code being measured. Prints `URL <url>` when listening; exits when its parent disconnects.
 */
import { startYahooChartServer } from '@barcache/test-support';

const latencyMs = Number(process.argv[2] ?? '20');
const server = await startYahooChartServer({ latencyMs });
process.stdout.write(`URL ${server.url}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
