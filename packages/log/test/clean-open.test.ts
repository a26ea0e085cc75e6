import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchOf } from './batches.ts';
import { openLog, readAll, tempDir } from './log-fixture.ts';

const checkpointOf = async (dir: string) => JSON.parse(await readFile(join(dir, 'partition.json'), 'utf8')) as { logStartOffset: string; cleanShutdown: boolean };
/** writeFileDurably replaces the file by rename; inode numbers get reused, change times (in ns) do not. */
const writtenAt = async (dir: string) => {
  const s = await stat(join(dir, 'partition.json'), { bigint: true });
  return `${s.ino}:${s.ctimeNs}`;
};

// An idle partition costs nothing to open and close after a clean close: the clean record stays until
// the first change, which records "not clean" durably before it touches the files.
describe('opening a cleanly closed partition', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    const log = await openLog(dir);
    for (let i = 0; i < 5; i++) await log.append(batchOf(2, 100));
    await log.close();
  });
  afterEach(() => cleanup());

  it('writes nothing when nothing changes, and reads everything', async () => {
    const before = await writtenAt(dir);
    for (let round = 0; round < 2; round++) {
      const log = await openLog(dir);
      expect(await readAll(log)).toHaveLength(5);
      await log.close();
    }
    expect(await writtenAt(dir)).toBe(before);
    expect(await checkpointOf(dir)).toEqual({ logStartOffset: '0', cleanShutdown: true });
  });

  it('records "not clean" before the first append lands, so a crash after it is recovered as one', async () => {
    const log = await openLog(dir);
    expect((await checkpointOf(dir)).cleanShutdown).toBe(true);
    await log.append(batchOf(1, 100));
    expect((await checkpointOf(dir)).cleanShutdown).toBe(false);
    await log.close();
    expect(await checkpointOf(dir)).toEqual({ logStartOffset: '0', cleanShutdown: true });
  });

  it('records "not clean" before retention deletes a segment', async () => {
    const log = await openLog(dir, { segmentBytes: 1024 });
    for (let i = 0; i < 10; i++) await log.append(batchOf(1, 300, BigInt(Date.now())));
    await log.close();
    const aged = await openLog(dir, { segmentBytes: 1024, retentionBytes: 1024 });
    expect((await checkpointOf(dir)).cleanShutdown).toBe(true);
    expect((await aged.applyRetention()).deletedSegments).toBeGreaterThan(0);
    expect((await checkpointOf(dir)).cleanShutdown).toBe(false);
    await aged.close();
    expect((await checkpointOf(dir)).cleanShutdown).toBe(true);
  });
});
