#!/usr/bin/env node
// `pnpm typecheck`: type-checks every package's sources AND tests, emitting nothing. Each package's
// tsconfig.test.json (extending tsconfig.test-base.json) includes src/ and test/ and resolves the
// workspace packages to their sources, as vitest does, so no build is needed first.
// (`pnpm build` / `tsc -b` compiles src/ only; tests are never emitted.)
// Exits non-zero when any package has a type error; the last line says which.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const projects = fs
  .readdirSync(path.join(root, 'packages'))
  .map((p) => path.join('packages', p, 'tsconfig.test.json'))
  .filter((f) => fs.existsSync(path.join(root, f)))
  .sort();

const failed = [];
for (const project of projects) {
  console.log(`== tsc -p ${project}`);
  const r = spawnSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed.push(path.dirname(project));
}
console.log(
  failed.length === 0
    ? `typecheck: ${projects.length} packages, no type errors`
    : `typecheck: type errors in ${failed.join(', ')} (${failed.length} of ${projects.length} packages)`,
);
process.exit(failed.length === 0 ? 0 : 1);
