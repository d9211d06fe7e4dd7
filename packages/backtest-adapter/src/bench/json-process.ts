/**
 * Runs one of the bench's measuring scripts in a fresh Node process and returns the JSON it prints
 * last: a measurement that must not share a heap or compiled code with the rest of the bench.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** `script` is a file next to this one (for example './load-process.js'); `job` is passed as its one argument, as JSON. */
export function runJsonProcess<T>(script: string, job: unknown, nodeFlags: string[] = []): Promise<T> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeFlags, path, JSON.stringify(job)], { maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as T);
    });
  });
}
