/**
 * Docs that compile: every ```ts block in the READMEs and docs/*.md is type-checked against the
 * workspace packages' sources (a wrong option name fails here, not in a user's editor), and the
 * blocks marked ```ts run are executed (a real cache in a temp dir, the real Yahoo client against a
 * loopback server). Fragments may use the names declared in docs/snippet-globals.d.ts. A block
 * that is truly not meant to compile (an excerpt of an internal interface) says so in its info
 * string: ```ts no-compile.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, startYahooChartServer } from '@barcache/test-support';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const GLOBALS = fileURLToPath(new URL('./docs/snippet-globals.d.ts', import.meta.url));

interface Snippet {
  doc: string;
  /** 1-based line of the first code line in the doc. */
  line: number;
  code: string;
  run: boolean;
  file: string;
}

function markdownFiles(): string[] {
  const out = [join(REPO, 'README.md')];
  for (const pkg of readdirSync(join(REPO, 'packages'))) {
    const dir = join(REPO, 'packages', pkg);
    for (const name of safeList(dir)) if (name === 'README.md') out.push(join(dir, name));
    for (const name of safeList(join(dir, 'docs'))) if (name.endsWith('.md')) out.push(join(dir, 'docs', name));
  }
  for (const name of safeList(join(REPO, 'docs'))) if (name.endsWith('.md')) out.push(join(REPO, 'docs', name));
  return out;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The ```ts / ```typescript blocks of a markdown file (not the no-compile ones). */
export function extractSnippets(doc: string, text: string): Omit<Snippet, 'file'>[] {
  const out: Omit<Snippet, 'file'>[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)\b(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const info = open[2]!.trim().split(/\s+/);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j]!)) body.push(lines[j++]!);
    if (!info.includes('no-compile')) out.push({ doc, line: i + 2, code: body.join('\n'), run: info.includes('run') });
    i = j;
  }
  return out;
}

// Inside the adapter package (its node_modules resolve grademark) but not in node_modules, where
// tsx would not apply the tsconfig paths that point @barcache/* at the sources.
const work = mkdtempSync(join(REPO, 'packages', 'backtest-adapter', '.doc-snippets-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const snippets: Snippet[] = markdownFiles().flatMap((doc) =>
  extractSnippets(relative(REPO, doc), readFileSync(doc, 'utf8')).map((s, i) => {
    const file = join(work, `${s.doc.replace(/[^a-z0-9]+/gi, '_')}_${i + 1}.mts`);
    // `export {}`: each snippet is its own module (its names never clash with another's).
    writeFileSync(file, `${s.code}\nexport {};\n`);
    return { ...s, file };
  }),
);

const src = (p: string) => join(REPO, 'packages', p);
const tsconfig = join(work, 'tsconfig.json');
writeFileSync(
  tsconfig,
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: ['node'],
      paths: {
        '@barcache/cache-core': [src('cache-core/src/index.ts')],
        '@barcache/backtest-adapter': [src('backtest-adapter/src/index.ts')],
        '@barcache/backtest-adapter/grademark': [src('backtest-adapter/src/grademark/index.ts')],
      },
    },
    files: [GLOBALS, ...snippets.map((s) => s.file)],
  }),
);

describe('README snippets', () => {
  it('there are snippets to check (the extraction works)', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(5);
    expect(extractSnippets('x.md', 'a\n```ts\nconst a = 1;\n```\n```ts no-compile\nnope\n```\n```ts run\nb\n```\n')).toEqual([
      { doc: 'x.md', line: 3, code: 'const a = 1;', run: false },
      { doc: 'x.md', line: 9, code: 'b', run: true },
    ]);
  });

  it('every ```ts block type-checks against the workspace packages', { timeout: 180_000 }, async () => {
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', tsconfig, '--pretty', 'false'], { cwd: work }).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    // Map "file.mts(3,5): error TS…" back to the doc and its line.
    const errors = result
      .split('\n')
      .filter((l) => l.includes('error TS'))
      .map((l) => {
        const m = /^(.*?\.mts)\((\d+),(\d+)\): (.*)$/.exec(l.trim());
        const s = m && snippets.find((x) => x.file.endsWith(m[1]!.replace(/^.*[\\/]/, '')));
        return s && m ? `${s.doc}:${s.line + Number(m[2]) - 1}: ${m[4]}` : l;
      });
    expect(errors).toEqual([]);
  });

  const runnable = snippets.filter((s) => s.run);
  it.each(runnable.map((s) => [`${s.doc}:${s.line}`, s] as const))('%s runs (loopback Yahoo server, temp cache dir)', { timeout: 180_000 }, async (_name, s) => {
    const server = await startYahooChartServer();
    const dir = makeTempDir('barcache-snippet-');
    try {
      const env = { ...process.env, BARCACHE_DIR: dir.path, BARCACHE_YAHOO_BASE_URL: server.url, TSX_TSCONFIG_PATH: tsconfig };
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', s.file], { cwd: work, env, timeout: 170_000 });
      expect(typeof stdout).toBe('string');
      expect(server.chartRequests().length).toBeGreaterThan(0);
    } finally {
      await server.close();
      await dir.cleanup();
    }
  });
});
