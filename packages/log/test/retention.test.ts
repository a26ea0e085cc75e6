import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PartitionLog } from '@fjord/log';
import { batchOf } from './batches.ts';
import { openLog, readAll, tempDir } from './log-fixture.ts';

describe('retention and DeleteRecords', () => {
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

  /** Ten segments of ten 1-record batches; segment k holds timestamps 1000 k .. 1000 k + 9. */
  async function tenSegments(config: Parameters<typeof openLog>[1] = {}): Promise<number> {
    const batchSize = batchOf(1, 100).length;
    log = await openLog(dir, { segmentBytes: batchSize * 10, ...config });
    for (let i = 0; i < 100; i++) await log.append(batchOf(1, 100, BigInt(1000 * Math.floor(i / 10) + (i % 10))));
    expect(log.segments()).toHaveLength(10);
    return batchSize;
  }

  it('deletes segments whose newest timestamp is past retentionMs', async () => {
    await tenSegments({ retentionMs: 5000 });
    expect(await log.applyRetention(8009)).toEqual({ deletedSegments: 3 });
    expect(log.logStartOffset).toBe(30n);
    expect(log.segments()[0].baseOffset).toBe(30n);
    expect((await readdir(dir)).filter((name) => name.endsWith('.log'))).toHaveLength(7);
    expect(await log.applyRetention(13_500)).toEqual({ deletedSegments: 6 });
    expect(log.segments().map((segment) => segment.baseOffset)).toEqual([90n]);
    await expect(log.read(89n, 100)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    expect((await log.read(90n, 100)).records.readBigInt64BE(0)).toBe(90n);
    expect(await log.applyRetention(1_000_000)).toEqual({ deletedSegments: 1 });
    expect(log.segments().map((segment) => segment.baseOffset)).toEqual([100n]);
  });

  it('rolls and deletes an idle active segment once all of it is past retention', async () => {
    log = await openLog(dir, { retentionMs: 5000 });
    const appends = Array.from({ length: 5 }, (_, i) => log.append(batchOf(2, 10, BigInt(1000 + i))));
    const retention = log.applyRetention(5000 + 1004);
    await Promise.all(appends);
    expect(await retention).toEqual({ deletedSegments: 0 });
    expect(await log.applyRetention(5000 + 1006)).toEqual({ deletedSegments: 1 });
    expect(log.segments().map((segment) => [segment.baseOffset, segment.size])).toEqual([[10n, 0]]);
    expect(log.logStartOffset).toBe(10n);
    expect(log.highWatermark).toBe(10n);
    expect((await log.read(10n, 100)).records.length).toBe(0);
    expect((await log.append(batchOf(1, 10))).baseOffset).toBe(10n);
  });

  it('lets reads that started before a deletion finish', async () => {
    await tenSegments({ retentionMs: 5000 });
    const reads = Array.from({ length: 40 }, (_, i) =>
      log.read(BigInt(i), 1 << 20).then(
        (result) => result.records.readBigInt64BE(0) <= BigInt(i),
        (error: { code?: string }) => error.code === 'OFFSET_OUT_OF_RANGE',
      ),
    );
    expect(await log.applyRetention(8009)).toEqual({ deletedSegments: 3 });
    expect(await Promise.all(reads)).toEqual(Array(40).fill(true));
  });

  it('deletes the oldest segments beyond retentionBytes', async () => {
    const batchSize = await tenSegments({ retentionBytes: 1 });
    await log.close();
    log = await openLog(dir, { segmentBytes: batchSize * 10, retentionBytes: batchSize * 10 * 4 + 1 });
    expect(await log.applyRetention()).toEqual({ deletedSegments: 5 });
    expect(log.size).toBe(batchSize * 50);
    expect(log.logStartOffset).toBe(50n);
    expect(await readAll(log)).toHaveLength(50);
  });

  it('advances the log start offset with deleteRecordsBefore and keeps it across a restart', async () => {
    const batchSize = await tenSegments();
    expect(await log.deleteRecordsBefore(35n)).toBe(35n);
    expect(log.segments()[0].baseOffset).toBe(30n);
    await expect(log.read(34n, 100)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    expect((await log.read(35n, 1)).records.readBigInt64BE(0)).toBe(35n);
    expect(await log.offsetForTimestamp(0n)).toEqual({ offset: 35n, timestamp: 3005n });
    expect(await log.deleteRecordsBefore(10n)).toBe(35n);
    await expect(log.deleteRecordsBefore(101n)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    expect(await log.deleteRecordsBefore(100n)).toBe(100n);
    expect(log.segments().map((segment) => segment.baseOffset)).toEqual([90n]);
    expect((await log.read(100n, 100)).records.length).toBe(0);
    await log.close();

    log = await openLog(dir, { segmentBytes: batchSize * 10 });
    expect(log.logStartOffset).toBe(100n);
    expect(log.highWatermark).toBe(100n);
    expect((await log.append(batchOf(1, 10))).baseOffset).toBe(100n);
  });
});
