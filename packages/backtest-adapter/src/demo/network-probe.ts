import { lookup } from 'node:dns/promises';
import { request } from 'node:https';

export const YAHOO_HOST = 'query1.finance.yahoo.com';

/**
 * True when Yahoo's chart host resolves and answers HTTPS (any status) within `capMs` in total.
 * Never throws; never waits longer than the cap.
 */
export async function yahooReachable(capMs = 2000): Promise<boolean> {
  const probe = (async () => {
    await lookup(YAHOO_HOST);
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: YAHOO_HOST, path: '/', method: 'HEAD', timeout: capMs }, (res) => {
        res.resume();
        resolve();
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
    return true;
  })().catch(() => false);
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), capMs);
    timer.unref();
  });
  const ok = await Promise.race([probe, cap]);
  clearTimeout(timer);
  return ok;
}
