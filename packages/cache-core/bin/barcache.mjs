#!/usr/bin/env node
// The `barcache` executable as installed (package.json "bin"). It is committed, so installing the
// workspace links it without a build; the command itself lives in dist/cli/main.js (built by
// `pnpm build`). From a clone, run `npx pnpm@10 barcache …` at the repo root: it builds first.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('barcache: not built yet (no dist/cli/main.js): run `npx pnpm@10 build` in the repo, or `npx pnpm@10 barcache …` at its root\n');
  process.exit(1);
}
await import(main.href);
