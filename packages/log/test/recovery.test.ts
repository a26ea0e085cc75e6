import { appendFile, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PartitionLog, SegmentInfo } from '@fjord/log';
import { batchOf } from './batches.ts';
import { openLog, readAll, tempDir } from './log-fixture.ts';

/** What a crash leaves: no clean-shutdown mark, so the active segment is scanned from its start. */
async function markUnclean(dir: string): Promise<void> {
  const path = join(dir, 'partition.json');
  const checkpoint = JSON.parse(await readFile(path, 'utf8'));
  await writeFile(path, JSON.stringify({ ...checkpoint, cleanShutdown: false }));
}

async function indexFiles(segments: SegmentInfo[]): Promise<Buffer[]> {
  return Promise.all(segments.flatMap((s) => [readFile(s.files.offsetIndex), readFile(s.files.timeIndex)]));
}

describe('recovery', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: PartitionLog;
  let sent: Buffer[];

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    log = await openLog(dir, { segmentBytes: 16 * 1024, indexIntervalBytes: 512 });
    sent = [];
    for (let i = 0; i < 60; i++) {
      const batch = batchOf(1 + (i % 3), 150 + (i % 11) * 30, BigInt(10_000 + i * 100));
      await log.append(batch);
      sent.push(batch);
    }
  });
  afterEach(async () => {
    await log.close();
    await cleanup();
  });

  const active = () => log.segments().at(-1)!;

  for (const clean of [true, false]) {
    it(`cuts a torn tail back to the last whole batch (${clean ? 'clean' : 'unclean'} shutdown mark)`, async () => {
      const tail = active();
      await log.close();
      if (!clean) await markUnclean(dir);
      const lastBatch = sent.at(-1)!;
      await truncate(tail.files.log, tail.size - 7);
      log = await openLog(dir, { segmentBytes: 16 * 1024, indexIntervalBytes: 512 });
      expect(active().size).toBe(tail.size - lastBatch.length);
      expect(Buffer.concat(await readAll(log))).toEqual(Buffer.concat(sent.slice(0, -1)));
      const next = await log.append(batchOf(1, 10));
      expect(next.baseOffset).toBe(lastBatch.readBigInt64BE(0));
    });
  }

  it('drops garbage and zeros written past the last batch', async () => {
    const tail = active();
    const highWatermark = log.highWatermark;
    await log.close();
    await markUnclean(dir);
    await appendFile(tail.files.log, Buffer.concat([Buffer.alloc(300), Buffer.from('not a record batch at all')]));
    log = await openLog(dir, { segmentBytes: 16 * 1024, indexIntervalBytes: 512 });
    expect(log.highWatermark).toBe(highWatermark);
    expect(active().size).toBe(tail.size);
    expect(Buffer.concat(await readAll(log))).toEqual(Buffer.concat(sent));
  });

  it('drops a batch whose bytes were damaged, and everything after it', async () => {
    const tail = active();
    await log.close();
    await markUnclean(dir);
    const contents = await readFile(tail.files.log);
    const firstSize = 12 + contents.readInt32BE(8);
    contents[firstSize + 100] ^= 0x01; // inside the second batch of the active segment
    await writeFile(tail.files.log, contents);
    log = await openLog(dir, { segmentBytes: 16 * 1024, indexIntervalBytes: 512 });
    expect(active().size).toBe(firstSize);
    expect(log.highWatermark).toBe(tail.baseOffset + BigInt(contents.readInt32BE(23)) + 1n);
  });

  it('rebuilds deleted or damaged index files identically', async () => {
    await log.close();
    const segments = log.segments();
    expect(segments.length).toBeGreaterThan(2);
    const original = await indexFiles(segments);
    expect(original.some((file) => file.length > 0)).toBe(true);
    await markUnclean(dir);
    for (const segment of segments) await rm(segment.files.offsetIndex);
    await rm(segments[0].files.timeIndex);
    await writeFile(segments[1].files.timeIndex, Buffer.alloc(13, 0xff));

    log = await openLog(dir, { segmentBytes: 16 * 1024, indexIntervalBytes: 512 });
    await log.close();
    expect(await indexFiles(log.segments())).toEqual(original);
    log = await openLog(dir, { segmentBytes: 16 * 1024, indexIntervalBytes: 512 });
    expect(Buffer.concat(await readAll(log))).toEqual(Buffer.concat(sent));
    expect(await log.offsetForTimestamp(10_000n + 30n * 100n)).toEqual({ offset: 60n, timestamp: 13_000n });
  });

  it('opens a cleanly closed log from its indexes and keeps appending', async () => {
    const highWatermark = log.highWatermark;
    await log.close();
    log = await openLog(dir, { segmentBytes: 16 * 1024, indexIntervalBytes: 512 });
    expect(log.highWatermark).toBe(highWatermark);
    const appended = batchOf(2, 10);
    const result = await log.append(appended);
    expect(result.baseOffset).toBe(highWatermark);
    expect(Buffer.concat(await readAll(log))).toEqual(Buffer.concat([...sent, appended]));
  });
});
