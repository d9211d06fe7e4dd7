/**
 * Private Redis servers for tests: Debian's `redis-server` started on a free loopback port with its
 * own data dir, no persistence, and stopped (or killed) by the test. A cluster is three such
 * servers joined with `redis-cli --cluster create`. Nothing here imports a test runner.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir, type TempDir } from './temp-dir.js';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` (with `user:password@` when started with a password). */
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILLs the server without cleanup (its port stays reserved for `restart`). */
  kill(): Promise<void>;
  /** Starts a server again on the same port (after `kill`). */
  restart(): Promise<void>;
  /** Runs one redis-cli command against it and returns its output. */
  cli(...args: string[]): string;
}

export interface RedisServerOptions {
  /** `requirepass` for the default user. */
  password?: string;
  /** `maxmemory` in bytes (with `maxmemory-policy noeviction`), to test a full Redis. */
  maxMemoryBytes?: number;
  /** Extra `--name value` arguments. */
  extraArgs?: string[];
}

/** True when Debian's redis-server is installed (tests skip with a clear line when it is not). */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  server.close();
  await once(server, 'close');
  return port;
}

/** A free port p whose cluster bus port p + 10000 is free too (both below 65536). */
async function freeClusterPort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a Redis cluster node');
}

async function isFree(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function startRedisServer(options: RedisServerOptions & { clusterPort?: boolean } = {}): Promise<RedisServer> {
  const dir: TempDir = makeTempDir('barcache-redis-');
  const port = options.clusterPort ? await freeClusterPort() : await freePort();
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir.path,
    ...(options.password ? ['--requirepass', options.password] : []),
    ...(options.maxMemoryBytes ? ['--maxmemory', String(options.maxMemoryBytes), '--maxmemory-policy', 'noeviction'] : []),
    ...(options.extraArgs ?? []),
  ];
  let child: ChildProcess | undefined;
  const cliArgs = ['-p', String(port), ...(options.password ? ['--no-auth-warning', '-a', options.password] : [])];
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForPing(port, cliArgs);
  };
  await start();
  const auth = options.password ? `default:${encodeURIComponent(options.password)}@` : '';
  let stopped = false;
  const killChild = async (signal: NodeJS.Signals) => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = once(c, 'exit');
    c.kill(signal);
    await Promise.race([exited, sleep(3000)]);
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await killChild('SIGTERM');
      await dir.cleanup();
    },
    async kill() {
      await killChild('SIGKILL');
    },
    async restart() {
      if (child !== undefined) throw new Error('redis-server is still running');
      await start();
    },
    cli(...cmd: string[]) {
      const r = spawnSync('redis-cli', [...cliArgs, ...cmd], { encoding: 'utf8' });
      return `${r.stdout}${r.stderr}`.trim();
    },
  };
}

export interface RedisCluster {
  readonly ports: number[];
  /** `redis://127.0.0.1:<first port>`: any node; a cluster client discovers the rest. */
  readonly url: string;
  readonly nodes: RedisServer[];
  stop(): Promise<void>;
}

/** Three masters, no replicas, all 16384 slots assigned; resolves once `cluster_state:ok`. */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < size; i++) {
      nodes.push(await startRedisServer({ clusterPort: true, extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${i}.conf`, '--cluster-node-timeout', '2000'] }));
    }
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8' },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    const deadline = Date.now() + 15_000;
    while (!nodes.every((n) => n.cli('cluster', 'info').includes('cluster_state:ok'))) {
      if (Date.now() > deadline) throw new Error('the Redis cluster did not reach cluster_state:ok in 15 s');
      await sleep(100);
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
  return {
    ports: nodes.map((n) => n.port),
    url: `redis://127.0.0.1:${nodes[0]!.port}`,
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}

async function waitForPing(port: number, cliArgs: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = spawnSync('redis-cli', [...cliArgs, 'ping'], { encoding: 'utf8' });
    if (r.stdout.trim() === 'PONG') return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING in 10 s`);
    await sleep(50);
  }
}
