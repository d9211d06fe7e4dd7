// The store protocol's batched reads (version 2): a follower's getMeta/readBlocks of one event-loop
// turn travel in one `batch` request, and a getMeta brings a small series' blocks along. Real
// LevelDB in temp dirs, real unix sockets, a real leader process for the kill; a damaging proxy
// between a follower and the real leader stands in for a corrupted stream.
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BarColumns } from '../src/bar-columns.js';
import type { ElectedBarStore } from '../src/tiers/disk/shared-dir/elected-bar-store.js';
import { encodeFrame, FrameReader, type Frame } from '../src/tiers/disk/shared-dir/frames.js';
import { RemoteBarStore } from '../src/tiers/disk/shared-dir/remote-bar-store.js';
import { readLeaderRecord } from '../src/tiers/disk/shared-dir/socket-location.js';
import { LeaderLostError, STORE_PROTOCOL_VERSION } from '../src/tiers/disk/shared-dir/store-protocol.js';
import { exited, flipBlockBytes, useSharedDirFixture } from './helpers/shared-dir.js';
import { dailyBars, makeMeta } from './store-contract.js';

const Y2020 = Date.UTC(2020, 0, 1);
const Y2021 = Date.UTC(2021, 0, 1);
const fx = useSharedDirFixture();
const { tempDir, opened, track, lead } = fx;

/** `n` series (AAA0…), each with a 2020 and a 2021 block, committed through `store`. */
async function seed(store: ElectedBarStore, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const meta = makeMeta({ symbol: `AAA${i}` });
    await store.commit({
      meta,
      put: new Map([
        [Y2020, BarColumns.fromBars(dailyBars(Y2020, 200, 10 + i))],
        [Y2021, BarColumns.fromBars(dailyBars(Y2021, 100, 50 + i))],
      ]),
    });
    ids.push(meta.id);
  }
  return ids;
}

async function follower(dir: string, socketPath?: string): Promise<RemoteBarStore> {
  const store = track(new RemoteBarStore({ socketPath: socketPath ?? (await readLeaderRecord(dir))!.socket }));
  await store.open();
  return store;
}

const barsOf = (r: { blocks: Map<number, BarColumns> }) => [...r.blocks.entries()].sort((a, b) => a[0] - b[0]).map(([s, c]) => [s, c.toBars()]);

/** A raw protocol client: hello, then frames out and in (for what a RemoteBarStore never sends). */
async function rawClient(socketPath: string) {
  const socket = net.connect(socketPath);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const reader = new FrameReader();
  const frames: Frame[] = [];
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    frames.push(...reader.push(chunk));
    wake?.();
  });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  socket.on('error', () => {});
  const next = async (): Promise<Frame> => {
    while (frames.length === 0) await new Promise<void>((r) => (wake = r));
    return frames.shift()!;
  };
  const send = (bufs: Buffer[]) => {
    for (const b of bufs) socket.write(b);
  };
  send(encodeFrame({ t: 'req', id: 1, op: 'hello', hello: { protocol: STORE_PROTOCOL_VERSION, barcache: 'test', pid: process.pid } }));
  expect((await next()).header.hello).toBeTruthy();
  return { socket, send, next, closed };
}

describe('batched reads (store protocol 2)', () => {
  it('the metas and blocks of many series travel in a few round trips, with the answers of the leader\'s own store', async () => {
    const dir = tempDir();
    const leader = await opened({ dir });
    const ids = await seed(leader, 40);
    const remote = await follower(dir);
    const before = remote.requestsSent;
    // As a prefetch reads: every series' meta, then its blocks, all series at once.
    const viaFollower = await Promise.all(
      ids.map(async (id) => {
        const meta = await remote.getMeta(id);
        return { meta, read: await remote.readBlocks(id, meta!.blocks.map((b) => b.start)) };
      }),
    );
    // And blocks asked for directly (no getMeta first), two series at a time in one turn.
    const direct = await Promise.all(ids.map((id) => remote.readBlocks(id, [Y2021, Date.UTC(2030, 0, 1)])));
    // 40 metas (with their blocks) in one request, 40 direct reads in another: one per turn, not one per call.
    expect(remote.requestsSent - before).toBeLessThanOrEqual(3);
    for (const [i, id] of ids.entries()) {
      expect(viaFollower[i]!.meta).toEqual(await leader.getMeta(id));
      expect(barsOf(viaFollower[i]!.read)).toEqual(barsOf(await leader.readBlocks(id, [Y2020, Y2021])));
      expect(viaFollower[i]!.read.corrupt).toEqual([]);
      expect(barsOf(direct[i]!)).toEqual(barsOf(await leader.readBlocks(id, [Y2021])));
    }
  });

  it('a readBlocks in a later turn than its getMeta asks the leader again, and sees a commit made in between', async () => {
    const dir = tempDir();
    const leader = await opened({ dir });
    const [id] = await seed(leader, 1);
    const remote = await follower(dir);
    const meta = (await remote.getMeta(id!))!;
    const newer = dailyBars(Y2020, 220, 500);
    await leader.commit({ meta: { ...meta }, put: new Map([[Y2020, BarColumns.fromBars(newer)]]) });
    const sent = remote.requestsSent;
    const read = await remote.readBlocks(id!, [Y2020]);
    expect(remote.requestsSent).toBe(sent + 1);
    expect(read.blocks.get(Y2020)!.toBars()).toEqual(newer);
  });

  it('a damaged block brought along with a meta is reported corrupt, like one read on its own', async () => {
    const dir = tempDir();
    const seeder = await opened({ dir });
    const [id] = await seed(seeder, 1);
    await seeder.close();
    await flipBlockBytes(dir, id!, Y2021);
    await opened({ dir });
    const remote = await follower(dir);
    const meta = (await remote.getMeta(id!))!;
    const read = await remote.readBlocks(id!, meta.blocks.map((b) => b.start));
    expect(read.corrupt).toEqual([Y2021]);
    expect([...read.blocks.keys()]).toEqual([Y2020]);
  });

  it('one item that fails fails alone: the others in the batch get their answers', async () => {
    const dir = tempDir();
    const leader = await opened({ dir });
    const [id] = await seed(leader, 1);
    const client = await rawClient((await readLeaderRecord(dir))!.socket);
    client.send(
      encodeFrame({
        t: 'req',
        id: 2,
        op: 'batch',
        items: [
          { op: 'getMeta', seriesId: id },
          { op: 'readBlocks', seriesId: 42, starts: [Y2020] },
          { op: 'readBlocks', seriesId: id, starts: [Y2021, Y2020] },
        ],
      }),
    );
    const res = await client.next();
    const results = res.header.results as Record<string, unknown>[];
    expect(results).toHaveLength(3);
    expect((results[0]!.meta as { id: string }).id).toBe(id);
    expect(results[0]!.found).toBeUndefined(); // no readAhead asked: the meta alone
    expect((results[1]!.error as { kind: string }).kind).toBe('type');
    expect(results[2]!.found).toEqual([Y2021, Y2020]);
    expect(res.blobs).toHaveLength(2);
    client.socket.destroy();
  });

  it('a damaged request frame: the leader drops that connection and keeps serving the others', async () => {
    const dir = tempDir();
    const leader = await opened({ dir });
    const [id] = await seed(leader, 1);
    const socketPath = (await readLeaderRecord(dir))!.socket;
    const remote = await follower(dir);
    const client = await rawClient(socketPath);
    // A batch whose header names a 16-byte blob the frame does not hold.
    const json = Buffer.from(JSON.stringify({ t: 'req', id: 2, op: 'batch', items: [{ op: 'getMeta', seriesId: id }], blobs: [16] }));
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32BE(4 + json.length, 0);
    prefix.writeUInt32BE(json.length, 4);
    client.send([prefix, json]);
    await client.closed;
    expect((await remote.getMeta(id!))!.id).toBe(id);
    expect(leader.role).toBe('leader');
  });

  it('a damaged batch answer: the calls reject as leader-lost (retried by the elected store), never answered short', async () => {
    const dir = tempDir();
    const leader = await opened({ dir });
    const ids = await seed(leader, 3);
    const socketPath = (await readLeaderRecord(dir))!.socket;
    // A proxy that drops one block from the first batch answer it forwards, keeping the frame well formed.
    let damaged = 0;
    const proxyPath = path.join(dir, 'proxy.sock');
    const open = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(socketPath);
      open.add(client).add(upstream);
      const reader = new FrameReader();
      client.on('data', (b) => upstream.write(b));
      upstream.on('data', (chunk: Buffer) => {
        for (const f of reader.push(chunk)) {
          if (damaged === 0 && Array.isArray(f.header.results) && f.blobs.length > 0) {
            damaged++;
            const { blobs: _sizes, ...header } = f.header;
            for (const b of encodeFrame(header, f.blobs.slice(0, -1))) client.write(b);
          } else for (const b of encodeFrame(f.header, f.blobs)) client.write(b);
        }
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    await new Promise<void>((r) => proxy.listen(proxyPath, r));
    try {
      const first = await follower(dir, proxyPath);
      const calls = ids.map((id) => first.readBlocks(id, [Y2020, Y2021]).then((r) => ({ ok: r }), (err: unknown) => ({ err })));
      const outcomes = await Promise.all(calls);
      expect(damaged).toBe(1);
      for (const o of outcomes) {
        expect('err' in o).toBe(true);
        expect((o as { err: unknown }).err).toBeInstanceOf(LeaderLostError);
      }
      expect(first.lost).toBe(true);
      // The next connection (as after a failover) gets every block.
      const second = await follower(dir, proxyPath);
      for (const id of ids) expect(barsOf(await second.readBlocks(id, [Y2020, Y2021]))).toEqual(barsOf(await leader.readBlocks(id, [Y2020, Y2021])));
    } finally {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('the leader dies with a batch in flight: every call is retried against the new leader and answers in full', async () => {
    const dir = tempDir();
    const child = lead(dir, 'KILLED');
    await child.waitFor(/^role leader \d+$/);
    const store = await opened({ dir });
    expect(store.role).toBe('follower');
    const id = 'test|KILLED|1d';
    // Stopped, the leader cannot answer: the batch is surely in flight when it is killed.
    child.child.kill('SIGSTOP');
    const calls = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0 ? store.getMeta(id).then((m) => m!.blocks[0]!.bars) : store.readBlocks(id, [Y2020]).then((r) => r.blocks.get(Y2020)!.length),
    );
    await new Promise((r) => setTimeout(r, 50));
    child.child.kill('SIGKILL');
    await exited(child.child);
    expect(await Promise.all(calls)).toEqual(Array(20).fill(10));
    expect(store.role).toBe('leader');
    expect(store.failovers).toBe(1);
  });
});
