import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCache, repairCacheDir } from '@barcache/cache-core';
import { makeTempDir, type TempDir } from '@barcache/test-support';
import { isStoreCorruptError, repairOutcomeText, storeCorruptPrompt } from '../../src/store-repair-offer.js';

let tmp: TempDir | undefined;
afterEach(async () => {
  await tmp?.cleanup();
});

describe('the Repair offer for a cache database that will not open', () => {
  it('recognises STORE_CORRUPT, and the repair it runs lets the cache open again', async () => {
    tmp = makeTempDir('barcache-ext-repair-');
    const dir = tmp.path;
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'db'), 'not a database');
    const err = await openCache({ dir, statsSnapshots: false }).catch((e: unknown) => e);
    expect(isStoreCorruptError(err)).toBe(true);
    expect(isStoreCorruptError(new Error('x'))).toBe(false);
    expect(storeCorruptPrompt(dir)).toContain(dir);

    const report = await repairCacheDir({ dir, now: () => Date.parse('2026-12-04T08:00:00Z') });
    const text = repairOutcomeText(report);
    expect(report.action).toBe('moved-aside');
    expect(text).toContain(path.join(dir, 'db-damaged-2026-12-04T08-00-00-000Z'));
    expect(text).toContain('nothing deleted');
    const cache = await openCache({ dir, statsSnapshots: false });
    await cache.close();
    expect(repairOutcomeText(await repairCacheDir({ dir }))).toContain('healthy');
  });
});
