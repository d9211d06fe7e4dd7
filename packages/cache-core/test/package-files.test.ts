// The published package builds its WebAssembly decoder from the AssemblyScript sources it ships
// (wasm/build.mjs runs on install from source): every source in wasm/ must be in package.json's
// `files`, or a packed install builds nothing and decodes in JavaScript only.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

it('ships every AssemblyScript source the WebAssembly build reads', () => {
  const files = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { files: string[] }).files;
  const sources = readdirSync(`${root}wasm`).filter((f) => f.endsWith('.ts'));
  expect(sources.length).toBeGreaterThan(0);
  expect(sources.filter((f) => !files.includes(`wasm/${f}`))).toEqual([]);
});
