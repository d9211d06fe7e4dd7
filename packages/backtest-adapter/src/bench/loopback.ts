import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/** Starts server-process.js and waits for its URL. */
export function startLoopbackServer(latencyMs: number): Promise<LoopbackServer> {
  const script = fileURLToPath(new URL('./server-process.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script, String(latencyMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`loopback server exited early (${code})`)));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buf += chunk;
      const m = /URL (\S+)\n/.exec(buf);
      if (!m) return;
      child.removeAllListeners('exit');
      resolve({
        url: m[1]!,
        close: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.stdin!.end();
            setTimeout(() => child.kill('SIGTERM'), 1000).unref();
          }),
      });
    });
  });
}
