/** Chart JSON fixtures shaped like real Yahoo answers, in test-support's `fixtures/` folder. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the fixtures folder (works from src/ and from dist/). */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Absolute path of one fixture, e.g. fixturePath('split-4-1.json'). */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** The parsed JSON of one fixture (a fresh copy each call). */
export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as T;
}

/** The names of all fixtures. */
export function listFixtures(): string[] {
  return readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.json')).sort();
}
