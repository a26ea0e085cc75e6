import { stat } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompressionType, compressionCodec } from '@fjord/kafka-protocol';
import { LogError, type PartitionLog } from '@fjord/log';
import { batchOf, batchesIn, encodeBatch } from './batches.ts';
import { openLog, readAll, tempDir } from './log-fixture.ts';

describe('PartitionLog', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: PartitionLog;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await log?.close();
    await cleanup();
  });

  it('assigns offsets and reads batches back byte for byte across segment rolls', async () => {
    log = await openLog(dir, { segmentBytes: 8 * 1024 });
    const sent: Buffer[] = [];
    let expectedBase = 0n;
    for (let i = 0; i < 40; i++) {
      const batch = batchOf(1 + (i % 5), 200 + i * 10);
      const result = await log.append(batch);
      expect(result.baseOffset).toBe(expectedBase);
      expect(result.lastOffset).toBe(expectedBase + BigInt(1 + (i % 5)) - 1n);
      expectedBase = result.lastOffset + 1n;
      sent.push(batch);
    }
    expect(log.highWatermark).toBe(expectedBase);
    const segments = log.segments();
    expect(segments.length).toBeGreaterThan(5);
    expect(segments.slice(0, -1).every((segment) => segment.closed && segment.size <= 8 * 1024)).toBe(true);
    expect(segments.at(-1)!.closed).toBe(false);
    expect(log.size).toBe(sent.reduce((total, batch) => total + batch.length, 0));
    expect(Buffer.concat(await readAll(log))).toEqual(Buffer.concat(sent));
  });

  it('stores the assigned offset and a zero leader epoch in place, keeping the CRC valid', async () => {
    log = await openLog(dir);
    await log.append(batchOf(3, 10));
    const batch = batchOf(2, 10);
    await log.append(batch);
    const { records } = await log.read(3n, 1 << 20);
    expect(records.readBigInt64BE(0)).toBe(3n);
    expect(records.readInt32BE(12)).toBe(0);
    expect(records).toEqual(batch);
  });

  it('finds the batch holding any offset, with the sparse index landing mid-segment', async () => {
    log = await openLog(dir, { segmentBytes: 1 << 20, indexIntervalBytes: 512 });
    for (let i = 0; i < 200; i++) await log.append(batchOf(3, 50 + (i % 7) * 20));
    const { files, size } = log.segments()[0];
    expect((await stat(files.offsetIndex)).size).toBeGreaterThanOrEqual(8 * Math.floor(size / 1024));
    for (let offset = 0n; offset < log.highWatermark; offset += 7n) {
      const { records } = await log.read(offset, 1);
      const [first] = batchesIn(records);
      expect(first.baseOffset <= offset && offset <= first.lastOffset).toBe(true);
    }
  });

  it('returns whole batches within maxBytes, and the first batch even when it is larger', async () => {
    log = await openLog(dir);
    for (let i = 0; i < 10; i++) await log.append(batchOf(2, 400));
    const oneBatch = (await log.read(0n, 1)).records;
    expect(batchesIn(oneBatch)).toHaveLength(1);
    const size = oneBatch.length;
    const { records, highWatermark, logStartOffset } = await log.read(4n, size * 3 + size - 1);
    expect(batchesIn(records).map((b) => b.baseOffset)).toEqual([4n, 6n, 8n]);
    expect(highWatermark).toBe(20n);
    expect(logStartOffset).toBe(0n);
    expect((await log.read(20n, 1000)).records.length).toBe(0);
  });

  it('refuses offsets outside the log', async () => {
    log = await openLog(dir);
    await log.append(batchOf(5, 10));
    await expect(log.read(6n, 100)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE', kafkaErrorCode: 1 });
    await expect(log.read(-1n, 100)).rejects.toBeInstanceOf(LogError);
  });

  it('rejects a whole produce request when any batch is bad, writing nothing', async () => {
    log = await openLog(dir, { maxBatchBytes: 2000 });
    const good = batchOf(1, 10);
    const badCrc = batchOf(1, 10);
    badCrc[badCrc.length - 1] ^= 0xff;
    const badMagic = batchOf(1, 10);
    badMagic.writeInt8(1, 16);
    const cases: [Buffer, string][] = [
      [Buffer.concat([good, badCrc]), 'CORRUPT_MESSAGE'],
      [badMagic, 'CORRUPT_MESSAGE'],
      [Buffer.concat([good, good.subarray(0, 30)]), 'CORRUPT_MESSAGE'],
      [Buffer.alloc(0), 'CORRUPT_MESSAGE'],
      [Buffer.alloc(80, 0xff), 'CORRUPT_MESSAGE'],
      [Buffer.concat([good, batchOf(1, 3000)]), 'RECORD_TOO_LARGE'],
    ];
    for (const [records, code] of cases) {
      await expect(log.append(records)).rejects.toMatchObject({ name: 'LogError', code });
    }
    expect(log.highWatermark).toBe(0n);
    expect(log.size).toBe(0);
    expect((await log.append(batchOf(1, 10))).baseOffset).toBe(0n);
  });

  it('gives concurrent every-write appends consecutive offsets', async () => {
    log = await openLog(dir, { segmentBytes: 16 * 1024 });
    const counts = Array.from({ length: 100 }, (_, i) => 1 + (i % 4));
    const results = await Promise.all(counts.map((count) => log.append(batchOf(count, 100))));
    let expected = 0n;
    for (const [i, result] of results.entries()) {
      expect(result.baseOffset).toBe(expected);
      expected += BigInt(counts[i]);
    }
    expect(log.highWatermark).toBe(expected);
    expect((await readAll(log)).length).toBe(100);
  });

  it('finds the first offset at or after a timestamp, inside a batch', async () => {
    log = await openLog(dir, { indexIntervalBytes: 256 });
    // Batch i holds 4 records stamped 1000 + 10 i + (0..3).
    for (let i = 0; i < 50; i++) await log.append(batchOf(4, 60, 1000n + BigInt(10 * i)));
    expect(await log.offsetForTimestamp(0n)).toEqual({ offset: 0n, timestamp: 1000n });
    expect(await log.offsetForTimestamp(1252n)).toEqual({ offset: 102n, timestamp: 1252n });
    expect(await log.offsetForTimestamp(1255n)).toEqual({ offset: 104n, timestamp: 1260n });
    expect(await log.offsetForTimestamp(1493n)).toEqual({ offset: 199n, timestamp: 1493n });
    expect(await log.offsetForTimestamp(1494n)).toBeNull();
  });

  it('names the exact record inside a compressed batch when given a decompressor', async () => {
    const records = (base: bigint) => Array.from({ length: 10 }, (_, i) => ({ value: Buffer.alloc(50, i), timestamp: base + BigInt(i) }));
    const append = async (target: PartitionLog) => {
      await target.append(encodeBatch(records(100n), CompressionType.Gzip));
      await target.append(encodeBatch(records(200n), CompressionType.Gzip));
    };
    log = await openLog(dir, {}, { decompress: (codec, data) => compressionCodec(codec).decompress(data) });
    await append(log);
    expect(await log.offsetForTimestamp(205n)).toEqual({ offset: 15n, timestamp: 205n });
    expect(await log.offsetForTimestamp(150n)).toEqual({ offset: 10n, timestamp: 200n });
    await log.close();

    // Without one, the answer is the batch's first offset: a consumer starting there misses nothing.
    log = await openLog(`${dir}/plain`);
    await append(log);
    expect(await log.offsetForTimestamp(205n)).toEqual({ offset: 10n, timestamp: 209n });
  });

  it('uses the batch timestamps, not arrival order, when timestamps go backwards', async () => {
    log = await openLog(dir);
    await log.append(encodeBatch([{ value: Buffer.from('a'), timestamp: 500n }]));
    await log.append(encodeBatch([{ value: Buffer.from('b'), timestamp: 100n }]));
    await log.append(encodeBatch([{ value: Buffer.from('c'), timestamp: 300n }]));
    expect(await log.offsetForTimestamp(200n)).toEqual({ offset: 0n, timestamp: 500n });
    expect(await log.offsetForTimestamp(600n)).toBeNull();
  });

  it('rolls the active segment once it is older than segmentMs', async () => {
    let now = 1_000_000;
    log = await openLog(dir, { segmentMs: 60_000 }, { now: () => now });
    await log.append(batchOf(1, 10));
    now += 59_999;
    await log.append(batchOf(1, 10));
    expect(log.segments()).toHaveLength(1);
    now += 1;
    await log.append(batchOf(1, 10));
    expect(log.segments().map((segment) => segment.baseOffset)).toEqual([0n, 2n]);
  });

  it('wakes a waiter when data arrives, and times out otherwise', async () => {
    log = await openLog(dir);
    const waiting = log.waitForData(0n, 30_000);
    let woke = false;
    void waiting.then(() => {
      woke = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(woke).toBe(false);
    await log.append(batchOf(1, 10));
    await waiting;
    expect(woke).toBe(true);
    await log.waitForData(1n, 20);
    expect(log.highWatermark).toBe(1n);
    const controller = new AbortController();
    const aborted = log.waitForData(5n, 30_000, controller.signal);
    controller.abort();
    await aborted;
  });

  it('acknowledges interval and none appends and keeps them after close', async () => {
    for (const flush of ['interval', 'none'] as const) {
      const sub = `${dir}/${flush}`;
      log = await openLog(sub, { flush, flushIntervalMs: 10 });
      const results = await Promise.all([log.append(batchOf(2, 10)), log.append(batchOf(3, 10))]);
      expect(results.map((r) => r.baseOffset)).toEqual([0n, 2n]);
      await log.flush();
      await log.close();
      log = await openLog(sub, { flush });
      expect(log.highWatermark).toBe(5n);
      await log.close();
    }
  });

  it('refuses appends and reads after close', async () => {
    log = await openLog(dir);
    await log.close();
    await expect(log.append(batchOf(1, 10))).rejects.toMatchObject({ code: 'LOG_CLOSED' });
    await expect(log.read(0n, 10)).rejects.toMatchObject({ code: 'LOG_CLOSED' });
  });

  it('rejects an invalid configuration', async () => {
    await expect(openLog(dir, { segmentBytes: 0 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(openLog(dir, { flush: 'sometimes' as never })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(openLog(dir, { retentionMs: -2 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    // Long.MAX_VALUE, as Kafka users write "forever", is accepted.
    log = await openLog(dir, { retentionMs: Number(2n ** 63n - 1n), segmentMs: Number(2n ** 63n - 1n) });
    await log.append(batchOf(1, 10));
    expect(await log.applyRetention()).toEqual({ deletedSegments: 0 });
  });
});
