// summarizeVitestReport on a real report: vitest itself runs three small files in a temp dir (a
// describe with one failing and one passing test, a file that throws while it loads, a file that
// passes) and writes its JSON report.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without declarations
import { summarizeVitestReport } from './vitest-summary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'barcache-vitest-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('summarizeVitestReport', () => {
  it('counts a failing test once, however deep its describe blocks, and a file that cannot load once', () => {
    writeFileSync(
      path.join(dir, 'nested.test.mjs'),
      `import { describe, it, expect } from 'vitest';
describe('outer', () => { describe('inner', () => {
  it('fails', () => expect(1).toBe(2));
  it('passes', () => expect(1).toBe(1));
}); });
`,
    );
    writeFileSync(path.join(dir, 'broken.test.mjs'), `throw new Error('cannot load');\n`);
    writeFileSync(path.join(dir, 'fine.test.mjs'), `import { it, expect } from 'vitest';\nit('passes', () => expect(2).toBe(2));\n`);
    writeFileSync(path.join(dir, 'vitest.config.mjs'), `export default { test: { include: ['*.test.mjs'] } };\n`);
    const out = path.join(dir, 'report.json');
    const vitest = spawnSync(path.join(root, 'node_modules', '.bin', 'vitest'), ['run', '--root', dir, '--reporter=json', `--outputFile=${out}`], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(vitest.status).toBe(1);
    const summary = summarizeVitestReport(JSON.parse(readFileSync(out, 'utf8')));
    expect(summary.passed).toBe(2);
    expect(summary.failed).toBe(2);
    expect(summary.couldNotRun.map((name: string) => path.basename(name))).toEqual(['broken.test.mjs']);
    expect(summary.line).toBe('vitest: 2 passed, 1 failed, 1 files could not run');
  });
});
