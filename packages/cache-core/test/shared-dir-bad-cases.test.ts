// The bad cases of a shared cache dir get a clear answer, never a hang; and openCache's users (a
// second cache in one process, a worker thread) follow the leader.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { ElectedBarStore } from '../src/tiers/disk/shared-dir/elected-bar-store.js';
import { networkFilesystemName } from '../src/tiers/disk/shared-dir/filesystem-check.js';
import { MAX_SOCKET_PATH_BYTES, readLeaderRecord, socketPathFor } from '../src/tiers/disk/shared-dir/socket-location.js';
import { STORE_PROTOCOL_VERSION } from '../src/tiers/disk/shared-dir/store-protocol.js';
import { exited, rejection, useSharedDirFixture } from './helpers/shared-dir.js';
import { dailyBars, makeMeta } from './store-contract.js';

const Y2020 = Date.UTC(2020, 0, 1);
const fx = useSharedDirFixture();
const { tempDir, opened, lead } = fx;

describe('bad cases get a clear answer', () => {
  it('two protocol versions on one dir: PROTOCOL_MISMATCH naming both', async () => {
    const dir = tempDir();
    await opened({ dir, protocolVersion: 999 });
    const err = await rejection(new ElectedBarStore({ dir }).open());
    expect(err.code).toBe('PROTOCOL_MISMATCH');
    expect(err.message).toMatch(/store protocol 999/);
    expect(err.message).toMatch(new RegExp(`store protocol ${STORE_PROTOCOL_VERSION}\\b`));
    expect((err.details!.ours as { protocol: number }).protocol).toBe(STORE_PROTOCOL_VERSION);
    expect((err.details!.theirs as { protocol: number }).protocol).toBe(999);
  });

  it('a leader of the previous protocol (1, before batched reads): PROTOCOL_MISMATCH naming both, either way round', async () => {
    expect(STORE_PROTOCOL_VERSION).toBe(2);
    const dir = tempDir();
    await opened({ dir, protocolVersion: 1 });
    const err = await rejection(new ElectedBarStore({ dir }).open());
    expect(err.code).toBe('PROTOCOL_MISMATCH');
    expect(err.message).toMatch(/store protocol 1\b/);
    expect(err.message).toMatch(/store protocol 2\b/);
    const other = tempDir();
    await opened({ dir: other });
    const old = await rejection(new ElectedBarStore({ dir: other, protocolVersion: 1 }).open());
    expect(old.code).toBe('PROTOCOL_MISMATCH');
    expect((old.details!.theirs as { protocol: number }).protocol).toBe(2);
  });

  it('a hung leader: LEADER_UNRESPONSIVE naming its pid, then a follower takes over once it is gone', async () => {
    const dir = tempDir();
    const child = lead(dir, 'HUNG');
    const pid = Number((await child.waitFor(/^role leader \d+$/)).split(' ')[2]);
    const follower = await opened({ dir, leaderTimeoutMs: 1500 });
    expect(follower.role).toBe('follower');
    child.child.kill('SIGSTOP');
    try {
      const started = performance.now();
      const err = await rejection(follower.getMeta('test|HUNG|1d'));
      expect(err.code).toBe('LEADER_UNRESPONSIVE');
      expect(err.details!.pid).toBe(pid);
      expect(err.message).toContain(String(pid));
      expect(performance.now() - started).toBeLessThan(10_000);
      // A new opener gets the same answer rather than hanging.
      const late = await rejection(new ElectedBarStore({ dir, leaderTimeoutMs: 1500 }).open());
      expect(late.code).toBe('LEADER_UNRESPONSIVE');
      expect(late.details!.pid).toBe(pid);
    } finally {
      child.child.kill('SIGKILL');
    }
    await exited(child.child);
    expect((await follower.getMeta('test|HUNG|1d'))!.blocks).toHaveLength(1);
    expect(follower.role).toBe('leader');
  });

  it('exclusive access: waits a bounded time, then LOCKED naming the holder; followers get LOCKED naming an exclusive holder', async () => {
    const dir = tempDir();
    const leader = await opened({ dir, processLabel: 'the leader' });
    const started = performance.now();
    const err = await rejection(new ElectedBarStore({ dir, exclusive: true, lockTimeoutMs: 300 }).open());
    expect(err.code).toBe('LOCKED');
    expect(err.message).toContain(`pid ${process.pid}`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    await leader.close();

    const sole = await opened({ dir, exclusive: true, processLabel: 'repair' });
    expect(sole.role).toBe('exclusive');
    expect(await readLeaderRecord(dir)).toMatchObject({ pid: process.pid, exclusive: true, socket: '' });
    const refused = await rejection(new ElectedBarStore({ dir, lockTimeoutMs: 300 }).open());
    expect(refused.code).toBe('LOCKED');
    expect(refused.message).toMatch(/repair/);
    await sole.close();
    expect(await readLeaderRecord(dir)).toBeUndefined();
    expect((await opened({ dir })).role).toBe('leader');
  });

  it('waits past lockTimeoutMs for a holder that does not serve yet (a leader starting) rather than failing LOCKED', async () => {
    const dir = tempDir();
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const holder = spawn(process.execPath, ['--import', tsx, fileURLToPath(new URL('./fixtures/hold-cache-dir.ts', import.meta.url)), dir, 'slow starter'], { stdio: ['pipe', 'pipe', 'inherit'] });
    fx.child(holder);
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (d: Buffer) => String(d).includes('ready') && resolve());
      holder.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
    const opening = opened({ dir, lockTimeoutMs: 200 });
    let settled = false;
    void opening.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(settled).toBe(false); // still waiting, well past lockTimeoutMs
    holder.stdin!.write('close\n');
    await exited(holder);
    expect((await opening).role).toBe('leader');
  });

  it('the socket is 0600 and the cache dir 0700; another uid cannot connect', async () => {
    const base = tempDir();
    const dir = path.join(base, 'cache');
    await opened({ dir });
    const record = (await readLeaderRecord(dir))!;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(record.socket).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'leader.json')).mode & 0o777).toBe(0o600);
    if (process.getuid?.() !== 0) return; // connecting as another uid needs root to switch to it
    // Even with the dir opened up to everyone, the socket itself refuses another user.
    chmodSync(base, 0o755);
    chmodSync(dir, 0o755);
    const code = `const s=require('net').connect(${JSON.stringify(record.socket)});s.on('connect',()=>{console.log('CONNECTED');process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(0)})`;
    const out = await new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, ['-e', `process.setgid(65534);process.setuid(65534);${code}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      c.stdout.on('data', (d: Buffer) => (text += d.toString()));
      c.stderr.on('data', (d: Buffer) => (text += d.toString()));
      c.on('error', reject);
      c.on('exit', () => resolve(text.trim()));
    });
    expect(out).toBe('EACCES');
  });

  it('a cache dir path too long for a unix socket puts the socket in a private runtime dir, recorded in leader.json', async () => {
    const base = tempDir();
    const dir = path.join(base, 'a-rather-long-folder-name-for-a-cache'.repeat(3), 'barcache');
    mkdirSync(dir, { recursive: true });
    expect(Buffer.byteLength(path.join(dir, 'leader.sock'))).toBeGreaterThan(107);
    const leader = await opened({ dir });
    const record = (await readLeaderRecord(dir))!;
    expect(path.dirname(record.socket)).not.toBe(dir);
    expect(Buffer.byteLength(record.socket)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    expect(statSync(path.dirname(record.socket)).mode & 0o777).toBe(0o700);
    expect(statSync(record.socket).mode & 0o777).toBe(0o600);
    const follower = await opened({ dir });
    expect(follower.role).toBe('follower');
    await follower.commit({ meta: makeMeta(), put: new Map([[Y2020, BarColumns.fromBars(dailyBars(Y2020, 3))]]) });
    expect(await leader.listMeta()).toHaveLength(1);
  });

  it('refuses a socket folder another user could reach (PERMISSION_DENIED), and a leader on another host (UNSUPPORTED_FILESYSTEM)', async () => {
    const base = tempDir();
    const runtime = path.join(base, 'run');
    mkdirSync(path.join(runtime, `barcache-${process.getuid?.() ?? 0}`), { recursive: true });
    chmodSync(path.join(runtime, `barcache-${process.getuid?.() ?? 0}`), 0o777);
    const dir = path.join(base, 'a-rather-long-folder-name-for-a-cache'.repeat(3), 'barcache');
    const saved = process.env.XDG_RUNTIME_DIR;
    process.env.XDG_RUNTIME_DIR = runtime;
    try {
      const err = await rejection(new ElectedBarStore({ dir }).open());
      expect(err.code).toBe('PERMISSION_DENIED');
      expect(err.details!.path).toBe(path.join(runtime, `barcache-${process.getuid?.() ?? 0}`));
    } finally {
      if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = saved;
    }

    const shared = tempDir();
    await opened({ dir: shared });
    const file = path.join(shared, 'leader.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), hostname: 'another-machine' }));
    const remote = await rejection(new ElectedBarStore({ dir: shared }).open());
    expect(remote.code).toBe('UNSUPPORTED_FILESYSTEM');
    expect(remote.message).toMatch(/another-machine/);
  });

  it('socket paths: in the dir when short, else a short hashed path; named pipes on Windows', () => {
    expect(socketPathFor('/home/me/.cache/barcache')).toBe('/home/me/.cache/barcache/leader.sock');
    const long = `/data/${'x'.repeat(120)}/barcache`;
    const p = socketPathFor(long, { env: { XDG_RUNTIME_DIR: '/run/user/1000' }, uid: 1000 });
    expect(p).toMatch(/^\/run\/user\/1000\/barcache-1000\/[0-9a-f]{24}\.sock$/);
    expect(socketPathFor(`${long}2`, { env: { XDG_RUNTIME_DIR: '/run/user/1000' }, uid: 1000 })).not.toBe(p);
    expect(socketPathFor('C:\\Users\\me\\barcache', { platform: 'win32' })).toMatch(/^\\\\\.\\pipe\\barcache-[0-9a-f]{24}$/);
  });

  it('network filesystems are recognised by their statfs type (Linux)', () => {
    expect(networkFilesystemName(0x6969, 'linux')).toBe('nfs');
    expect(networkFilesystemName(0xff534d42, 'linux')).toBe('cifs');
    expect(networkFilesystemName(-11317950, 'linux')).toBe('cifs'); // the same magic as a signed 32-bit value
    expect(networkFilesystemName(0xef53, 'linux')).toBeUndefined(); // ext4
    expect(networkFilesystemName(0x01021994, 'linux')).toBeUndefined(); // tmpfs
    expect(networkFilesystemName(0x6969, 'darwin')).toBeUndefined();
  });
});

describe('through openCache', () => {
  it('a second openCache in the same process and a worker thread follow the first; both see each other\'s writes', async () => {
    const { Worker } = await import('node:worker_threads');
    const { startCacheOnServer } = await import('@barcache/test-support');
    const fx = await startCacheOnServer();
    try {
      const first = await fx.open();
      const second = await fx.open();
      const a = await second.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-03-28' });
      expect(a.length).toBeGreaterThan(50);
      // The leader's process (this one) reads what its follower committed, without the provider.
      const calls = fx.calls();
      expect(await first.getBars({ symbol: 'AAPL', interval: '1d', start: '2024-01-02', end: '2024-03-28' })).toEqual(a);
      expect(fx.calls()).toBe(calls);
      expect((await readLeaderRecord(fx.dir))!.pid).toBe(process.pid);

      // The worker loads TypeScript through tsx's register API (loader flags do not reach threads).
      const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
      const script = new URL('./processes/worker-thread-cache.ts', import.meta.url).href;
      const worker = new Worker(`import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(script)}); });`, {
        eval: true,
        workerData: { dir: fx.dir, baseUrl: fx.server.url },
      });
      const reply = await new Promise<{ bars: number; leader: number }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      expect(reply.leader).toBe(process.pid);
      expect(reply.bars).toBeGreaterThan(50);
      // What the thread committed went through the leader: a new follower lists it.
      const third = await fx.open();
      expect((await third.listSeries()).map((s) => s.symbol).sort()).toEqual(['AAPL', 'THREAD']);
      expect(await second.getBars({ symbol: 'THREAD', interval: '1d', start: '2024-01-02', end: '2024-03-28' })).toHaveLength(reply.bars);
      expect(fx.calls('THREAD')).toBe(1);
    } finally {
      await fx.dispose();
    }
  });
});
