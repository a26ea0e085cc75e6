import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFauxqs } from 'fauxqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RemoteReadCache, type LogConfig, type PartitionLog, type RemoteStorage } from '@fjord/log';
import { createObjectStore, type ObjectStore } from '@fjord/object-store';
import { batchesIn, batchOf } from './batches.ts';
import { openLog, readAll, tempDir } from './log-fixture.ts';

interface Backend {
  store: ObjectStore;
  /** A store of the same kind that cannot be reached. */
  unreachable: () => Promise<ObjectStore>;
  stop: () => Promise<void>;
}

const PREFIX = 'clusters/c1/orders/0/';

async function fsBackend(): Promise<Backend> {
  const root = await mkdtemp(join(tmpdir(), 'fjord-remote-'));
  return {
    store: createObjectStore({ kind: 'fs', root: join(root, 'objects') }),
    // A root below a regular file: every put fails with ENOTDIR, as a full or read-only volume would.
    unreachable: async () => {
      await writeFile(join(root, 'not-a-dir'), 'x');
      return createObjectStore({ kind: 'fs', root: join(root, 'not-a-dir', 'objects') });
    },
    stop: () => rm(root, { recursive: true, force: true }),
  };
}

async function s3Backend(): Promise<Backend> {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  server.createBucket('tiered');
  const s3 = (endpoint: string) =>
    createObjectStore({
      kind: 's3',
      bucket: 'tiered',
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  const store = s3(`http://127.0.0.1:${server.port}`);
  const closed: ObjectStore[] = [];
  return {
    store,
    // Port 9 on loopback (discard) has no listener here: connections are refused at once.
    unreachable: async () => {
      const dead = s3('http://127.0.0.1:9');
      closed.push(dead);
      return dead;
    },
    stop: async () => {
      for (const dead of closed) await dead.close();
      await store.close();
      await server.stop();
    },
  };
}

describe.each([
  ['filesystem store', fsBackend],
  ['S3 store (fauxqs over HTTP)', s3Backend],
])('tiered storage on the %s', (_name, start) => {
  let backend: Backend;
  let dir: string;
  let cleanup: () => Promise<void>;
  let cacheDir: string;
  let log: PartitionLog | undefined;
  const batchSize = batchOf(1, 100).length;

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend?.stop();
  });
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    cacheDir = join(dir, '..', `${dir.split('/').pop()}-cache`);
    await backend.store.deletePrefix('');
  });
  afterEach(async () => {
    await log?.close();
    log = undefined;
    await cache?.close();
    cache = undefined;
    await cleanup();
    await rm(cacheDir, { recursive: true, force: true });
  });

  let cache: RemoteReadCache | undefined;
  /** A fresh cache each time, as after a restart; the previous one is let go first. */
  async function storage(store = backend.store, maxBytes = 1 << 20): Promise<RemoteStorage> {
    await cache?.close();
    cache = await RemoteReadCache.open(cacheDir, { maxBytes, chunkBytes: 4096 });
    return { store, keyPrefix: PREFIX, cache };
  }

  /** Ten segments of ten 1-record batches; segment k holds timestamps 1000 k .. 1000 k + 9; the tenth is active. */
  async function tenSegments(config: Partial<LogConfig> = {}, remote?: RemoteStorage): Promise<PartitionLog> {
    const opened = await openLog(dir, { segmentBytes: batchSize * 10, ...config }, { remote: remote ?? (await storage()) });
    for (let i = 0; i < 100; i++) await opened.append(batchOf(1, 100, BigInt(1000 * Math.floor(i / 10) + (i % 10))));
    expect(opened.segments()).toHaveLength(10);
    return opened;
  }

  async function keys(): Promise<string[]> {
    return (await backend.store.list(PREFIX)).keys;
  }

  function offsetsOf(batches: Buffer[]): bigint[] {
    return batches.flatMap((records) => batchesIn(records).map((batch) => batch.baseOffset));
  }

  const allOffsets = Array.from({ length: 100 }, (_, i) => BigInt(i));

  it('uploads closed segments with a manifest, deletes local copies beyond local retention, and reads from offset 0', async () => {
    log = await tenSegments({ localRetentionBytes: batchSize * 20 });
    const result = await log.tier();
    expect(result.uploadedSegments).toBe(9);
    // 100 batches locally; 20 stay, and the active segment is never removed.
    expect(result.deletedLocalSegments).toBe(8);
    expect(log.segments().map((segment) => segment.baseOffset)).toEqual([80n, 90n]);
    expect(log.logStartOffset).toBe(0n);
    expect(log.localLogStartOffset).toBe(80n);
    expect(log.size).toBe(batchSize * 20);
    expect(log.remoteSize).toBe(batchSize * 90);

    const stored = await keys();
    expect(stored).toContain(`${PREFIX}00000000000000000000.log`);
    expect(stored).toContain(`${PREFIX}00000000000000000000.index`);
    expect(stored).toContain(`${PREFIX}00000000000000000000.timeindex`);
    expect(stored.filter((key) => key.endsWith('.manifest.json'))).toHaveLength(9);
    const manifest = JSON.parse((await backend.store.get(`${PREFIX}00000000000000000010.manifest.json`)).toString());
    expect(manifest).toMatchObject({
      version: 1,
      startOffset: '10',
      endOffset: '19',
      maxTimestampMs: '1009',
      segmentSizeInBytes: batchSize * 10,
      objects: { log: batchSize * 10 },
    });
    expect(manifest.logSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await readdir(dir)).filter((name) => name.endsWith('.log'))).toHaveLength(2);

    expect(offsetsOf(await readAll(log, 0n))).toEqual(allOffsets);
    // A large read from a remote offset answers whole batches of one segment, starting at the one asked for.
    const { records } = await log.read(15n, 1 << 20);
    expect(batchesIn(records).map((batch) => batch.baseOffset)).toEqual([15n, 16n, 17n, 18n, 19n]);
  });

  it('keeps every local segment while uploads fail, and catches up when the store answers', async () => {
    const dead = await backend.unreachable();
    log = await tenSegments({ localRetentionBytes: batchSize * 20 }, await storage(dead));
    await expect(log.tier()).rejects.toThrow();
    await expect(log.applyRetention()).resolves.toEqual({ deletedSegments: 0 });
    expect(log.segments()).toHaveLength(10);
    expect(offsetsOf(await readAll(log, 0n))).toEqual(allOffsets);
    await log.close();

    log = await openLog(dir, { segmentBytes: batchSize * 10, localRetentionBytes: batchSize * 20 }, { remote: await storage() });
    expect(await log.tier()).toMatchObject({ uploadedSegments: 9, deletedLocalSegments: 8 });
    expect(offsetsOf(await readAll(log, 0n))).toEqual(allOffsets);
  });

  it('serves a segment uploaded twice once, and resumes from the manifests after a crash', async () => {
    // Everything uploaded, nothing deleted locally (local retention unlimited): the crash window
    // between a verified upload and the local deletion.
    log = await tenSegments();
    expect((await log.tier()).uploadedSegments).toBe(9);
    expect((await log.tier()).uploadedSegments).toBe(0);
    // An interrupted later upload: data objects without a manifest.
    await backend.store.put(`${PREFIX}00000000000000000090.log`, Buffer.from('torn'));
    // No close(): the next open sees a crashed log and a fresh read cache.
    log = await openLog(dir, { segmentBytes: batchSize * 10, localRetentionBytes: batchSize * 10 }, { remote: await storage() });
    expect(await keys()).not.toContain(`${PREFIX}00000000000000000090.log`);
    expect(await log.tier()).toMatchObject({ uploadedSegments: 0, deletedLocalSegments: 9 });
    expect(log.localLogStartOffset).toBe(90n);
    expect(offsetsOf(await readAll(log, 0n))).toEqual(allOffsets);
    const reopened = await openLog(dir, { segmentBytes: batchSize * 10 }, { remote: await storage() });
    try {
      expect(reopened.logStartOffset).toBe(0n);
      expect(offsetsOf(await readAll(reopened, 0n))).toEqual(allOffsets);
    } finally {
      await reopened.close();
    }
  });

  it('finds offsets by timestamp across remote and local segments', async () => {
    log = await tenSegments({ localRetentionBytes: batchSize * 20 });
    await log.tier();
    expect(await log.offsetForTimestamp(-1n)).toEqual({ offset: 0n, timestamp: 0n });
    expect(await log.offsetForTimestamp(3005n)).toEqual({ offset: 35n, timestamp: 3005n });
    expect(await log.offsetForTimestamp(3010n)).toEqual({ offset: 40n, timestamp: 4000n });
    expect(await log.offsetForTimestamp(7010n)).toEqual({ offset: 80n, timestamp: 8000n });
    expect(await log.offsetForTimestamp(9001n)).toEqual({ offset: 91n, timestamp: 9001n });
    expect(await log.offsetForTimestamp(10_000n)).toBeNull();
  });

  it('deletes whole remote segments beyond retention.bytes and retention.ms', async () => {
    log = await tenSegments({ localRetentionBytes: batchSize * 20, retentionBytes: batchSize * 65 });
    // 100 batches: the oldest three segments (30) go for size.
    expect(await log.tier()).toMatchObject({ uploadedSegments: 9, deletedLocalSegments: 8, deletedRemoteSegments: 3 });
    expect(log.logStartOffset).toBe(30n);
    expect((await keys()).some((key) => key.includes('00000000000000000020.'))).toBe(false);
    expect((await keys()).filter((key) => key.endsWith('.manifest.json'))).toHaveLength(6);
    await expect(log.read(29n, 100)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    expect(offsetsOf(await readAll(log))).toEqual(allOffsets.slice(30));
    await log.close();

    log = await openLog(dir, { segmentBytes: batchSize * 10, localRetentionBytes: batchSize * 20, retentionMs: 5000 }, { remote: await storage() });
    expect(log.logStartOffset).toBe(30n);
    // At 9010 the segments up to timestamp 4009 (offsets 30..49) are older than 5000 ms.
    expect(await log.applyRetention(9010)).toEqual({ deletedSegments: 2 });
    expect(log.logStartOffset).toBe(50n);
    expect(offsetsOf(await readAll(log))).toEqual(allOffsets.slice(50));
  });

  it('moves the log start across remote segments with deleteRecordsBefore', async () => {
    log = await tenSegments({ localRetentionBytes: batchSize * 20 });
    await log.tier();
    expect(await log.deleteRecordsBefore(35n)).toBe(35n);
    expect((await keys()).filter((key) => key.endsWith('.manifest.json')).map((key) => key.slice(PREFIX.length, PREFIX.length + 20))).toEqual(
      ['00000000000000000030', '00000000000000000040', '00000000000000000050', '00000000000000000060', '00000000000000000070', '00000000000000000080'],
    );
    expect(offsetsOf(await readAll(log))).toEqual(allOffsets.slice(35));
    await log.close();
    log = await openLog(dir, { segmentBytes: batchSize * 10 }, { remote: await storage() });
    expect(log.logStartOffset).toBe(35n);
  });

  it('keeps the read cache under its size cap', async () => {
    const remote = await storage(backend.store, 8192);
    log = await tenSegments({ localRetentionBytes: batchSize * 10 }, remote);
    await log.tier();
    expect(offsetsOf(await readAll(log, 0n))).toEqual(allOffsets);
    await remote.cache.settled();
    expect(remote.cache.diskBytes).toBeGreaterThan(0);
    expect(remote.cache.diskBytes).toBeLessThanOrEqual(8192);
    const sizes = await Promise.all((await readdir(cacheDir)).map(async (name) => (await stat(join(cacheDir, name))).size));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(8192);
  });
});

describe('local retention settings', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('refuses local retention beyond the total retention, as Kafka does', async () => {
    await expect(openLog(dir, { retentionBytes: 1000, localRetentionBytes: 2000 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(openLog(dir, { retentionMs: 1000, localRetentionMs: -1 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(openLog(dir, { localRetentionMs: -3 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    const log = await openLog(dir, { retentionBytes: 1000, localRetentionBytes: 1000, localRetentionMs: -2 });
    await log.close();
    // 0 is a limit Kafka accepts (keep no closed segment locally), not "unset".
    const none = await openLog(dir, { localRetentionBytes: 0, localRetentionMs: 0 });
    await none.close();
  });
});
