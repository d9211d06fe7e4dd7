import { describe, expect, it } from 'vitest';
import { makeTempDir, startCacheOnServer, startRedisServer } from '@barcache/test-support';

function cmds(info: string): number {
  let n = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) n += Number(m[1]);
  return n;
}

describe('exp', () => {
  it('moving clock', async () => {
    const redis = await startRedisServer();
    const fx = await startCacheOnServer();
    let t = Date.parse('2024-03-15T21:00:00Z');
    const now = () => t;
    const d1 = makeTempDir('w1-');
    const d2 = makeTempDir('w2-');
    const w1 = await fx.open({ dir: d1.path, shared: { url: redis.url }, now });
    const key = { symbol: 'AAPL', interval: '1d' as const };
    await w1.getBars({ ...key, start: '2024-01-02', end: '2024-03-15' });
    t += 3 * 86400000;
    await w1.getBars({ ...key, start: '2024-01-02', end: '2024-03-18' });
    console.log('calls after w1', fx.calls());
    console.log(redis.cli('GET', 'barcache:{yahoo|AAPL|1d}:meta').slice(0, 1500));
    const w2 = await fx.open({ dir: d2.path, shared: { url: redis.url }, now });
    await w2.getBars({ ...key, start: '2024-01-02', end: '2024-03-18' });
    console.log('calls after w2', fx.calls(), JSON.stringify(w2.stats().shared));
    console.log(JSON.stringify((await w2.listSeries?.()) ?? null).slice(0, 1500));
    t += 30 * 86400000;
    const before = cmds(redis.cli('INFO', 'commandstats'));
    await w2.getBars({ ...key, start: '2024-01-02', end: '2024-03-01' });
    const after = cmds(redis.cli('INFO', 'commandstats'));
    console.log('redis cmds on re-read', after - before - 1, 'calls', fx.calls());
    await fx.dispose();
    await redis.stop();
    await d1.cleanup(); await d2.cleanup();
  }, 60000);
});
