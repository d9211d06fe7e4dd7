// Leader election, failover and fill leases of a shared cache dir: real LevelDB in temp dirs, real
// unix sockets, real child processes.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import { RemoteBarStore } from '../src/tiers/disk/shared-dir/remote-bar-store.js';
import { readLeaderRecord } from '../src/tiers/disk/shared-dir/socket-location.js';
import { exited, rejection, useSharedDirFixture } from './helpers/shared-dir.js';
import { dailyBars, makeMeta } from './store-contract.js';

const Y2020 = Date.UTC(2020, 0, 1);
const fx = useSharedDirFixture();
const { tempDir, opened, lead } = fx;

describe('leader and followers', () => {
  it('the first opener leads, every other instance follows and sees the same data', async () => {
    const dir = tempDir();
    const leader = await opened({ dir });
    const follower = await opened({ dir });
    expect([leader.role, follower.role]).toEqual(['leader', 'follower']);
    expect(follower.leaderPid).toBe(process.pid);
    const meta = makeMeta();
    const bars = dailyBars(Y2020, 30);
    await follower.commit({ meta, put: new Map([[Y2020, BarColumns.fromBars(bars)]]) });
    expect((await leader.getMeta(meta.id))!.blocks).toHaveLength(1);
    expect((await leader.readBlocks(meta.id, [Y2020])).blocks.get(Y2020)!.toBars()).toEqual(bars);
  });

  it('when the leader closes, a follower leads and calls in flight are retried; nothing committed is lost', async () => {
    const dir = tempDir();
    const leader = await opened({ dir });
    const a = await opened({ dir });
    const b = await opened({ dir });
    const meta = makeMeta();
    const bars = dailyBars(Y2020, 200);
    await a.commit({ meta, put: new Map([[Y2020, BarColumns.fromBars(bars)]]) });
    // Reads keep running through the change of leader.
    let reads = 0;
    let stop = false;
    const loops = [a, b].map(async (s) => {
      while (!stop) {
        const r = await s.readBlocks(meta.id, [Y2020]);
        expect(r.blocks.get(Y2020)!.toBars()).toEqual(bars);
        reads++;
      }
    });
    await new Promise((r) => setTimeout(r, 30));
    await leader.close();
    const readsAtClose = reads;
    // Reads go on under the new leader (however long the machine takes to elect it).
    for (let waited = 0; reads < readsAtClose + 20 && waited < 20_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    stop = true;
    await Promise.all(loops);
    expect(reads).toBeGreaterThan(readsAtClose);
    expect([a.role, b.role].sort()).toEqual(['follower', 'leader']);
    expect(a.failovers + b.failovers).toBe(2);
    const newLeader = a.role === 'leader' ? a : b;
    expect((await readLeaderRecord(dir))!.socket).toBeTruthy();
    expect((await newLeader.getMeta(meta.id))!.blocks[0]!.bars).toBe(200);
  });

  it('a follower in another process takes over when the leader process is killed (stale socket left behind)', async () => {
    const dir = tempDir();
    const child = lead(dir, 'KILLED');
    const pid = Number((await child.waitFor(/^role leader \d+$/)).split(' ')[2]);
    const follower = await opened({ dir });
    expect(follower.role).toBe('follower');
    expect(follower.leaderPid).toBe(pid);
    child.child.kill('SIGKILL');
    await exited(child.child);
    const socket = (await readLeaderRecord(dir))!.socket;
    expect(existsSync(socket)).toBe(true); // the crashed leader's socket file is still there
    const meta = await follower.getMeta('test|KILLED|1d');
    expect(meta!.blocks[0]!.bars).toBe(10);
    expect(follower.role).toBe('leader');
    expect((await readLeaderRecord(dir))!.pid).toBe(process.pid);
    // And a fresh opener follows the new leader.
    const late = await opened({ dir });
    expect(late.role).toBe('follower');
    expect((await late.readBlocks('test|KILLED|1d', [Y2020])).blocks.get(Y2020)!.length).toBe(10);
  });

  it('a new opener leads over a crashed leader\'s stale socket and leader.json', async () => {
    const dir = tempDir();
    const child = lead(dir, 'STALE');
    await child.waitFor(/^role leader/);
    child.child.kill('SIGKILL');
    await exited(child.child);
    expect(existsSync((await readLeaderRecord(dir))!.socket)).toBe(true);
    const store = await opened({ dir, lockTimeoutMs: 200 });
    expect(store.role).toBe('leader');
    expect((await store.getMeta('test|STALE|1d'))!.blocks).toHaveLength(1);
  });
});

describe('fill leases across processes', () => {
  it('one holder per series among followers; a holder that disconnects releases it; tokens grow', async () => {
    const dir = tempDir();
    await opened({ dir });
    const record = (await readLeaderRecord(dir))!;
    const r1 = new RemoteBarStore({ socketPath: record.socket });
    const r2 = new RemoteBarStore({ socketPath: record.socket });
    await r1.open();
    await r2.open();
    fx.track(r1);
    fx.track(r2);
    const first = await r1.lease('test|AAPL|1d');
    let granted = false;
    const second = r2.lease('test|AAPL|1d').then((l) => ((granted = true), l));
    await new Promise((r) => setTimeout(r, 50));
    expect(granted).toBe(false);
    await r1.close(); // disconnects without releasing
    const l2 = await second;
    expect(l2.token).toBeGreaterThan(first.token);
    await l2.release();
  });

  it('the leader refuses a commit carrying a stale token (LEASE_LOST) and writes nothing', async () => {
    const dir = tempDir();
    const leader = await opened({ dir });
    const record = (await readLeaderRecord(dir))!;
    const r1 = new RemoteBarStore({ socketPath: record.socket });
    const r2 = new RemoteBarStore({ socketPath: record.socket });
    await r1.open();
    await r2.open();
    fx.track(r1);
    fx.track(r2);
    const meta = makeMeta();
    const old = await r1.lease(meta.id);
    await old.release();
    const current = await r2.lease(meta.id);
    const write = { meta, put: new Map([[Y2020, BarColumns.fromBars(dailyBars(Y2020, 5))]]) };
    const err = await rejection(r1.commitFenced([write], { [meta.id]: old.token }));
    expect(err.code).toBe('LEASE_LOST');
    expect(await leader.getMeta(meta.id)).toBeUndefined();
    await r2.commitFenced([write], { [meta.id]: current.token });
    expect((await leader.getMeta(meta.id))!.blocks).toHaveLength(1);
    await current.release();
  });

  it('a lease held through a failover is taken again under the new leader before its commit', async () => {
    const dir = tempDir();
    const leader = await opened({ dir });
    const follower = await opened({ dir });
    const meta = makeMeta();
    const lease = await follower.lease(meta.id);
    const before = lease.token;
    await leader.close();
    await follower.commit({ meta, put: new Map([[Y2020, BarColumns.fromBars(dailyBars(Y2020, 5))]]) });
    expect(follower.role).toBe('leader');
    expect(lease.token).toBeGreaterThan(before);
    // Still exclusive under the new leader: another instance waits for it.
    const other = await opened({ dir });
    let granted = false;
    const next = other.lease(meta.id).then((l) => ((granted = true), l));
    await new Promise((r) => setTimeout(r, 50));
    expect(granted).toBe(false);
    await lease.release();
    const l2 = await next;
    expect(l2.token).toBeGreaterThan(lease.token);
    await l2.release();
  });
  it('a lease carried through a failover is refused (LEASE_LOST) when another process changed the series meanwhile', async () => {
    const dir = tempDir();
    const leader = await opened({ dir });
    const f = await opened({ dir });
    const g = await opened({ dir });
    const meta = makeMeta();
    const lease = await f.lease(meta.id);
    expect(await f.getMeta(meta.id)).toBeUndefined(); // f plans its fill from this view
    await leader.close();
    // Under the new leader, g takes the lease first and fills the series.
    const gl = await g.lease(meta.id);
    const gBars = dailyBars(Y2020, 7);
    await g.commit({ meta, put: new Map([[Y2020, BarColumns.fromBars(gBars)]]) });
    await gl.release();
    const err = await rejection(f.commit({ meta, put: new Map([[Y2020, BarColumns.fromBars(dailyBars(Y2020, 3, 50))]]) }));
    expect(err.code).toBe('LEASE_LOST');
    expect((await g.readBlocks(meta.id, [Y2020])).blocks.get(Y2020)!.toBars()).toEqual(gBars);
    // Planned again from the store's meta, the holder commits.
    expect((await f.getMeta(meta.id))!.blocks).toHaveLength(1);
    await f.commit({ meta, put: new Map([[Y2020, BarColumns.fromBars(gBars)]]) });
    await lease.release();
  });
});
