import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PartitionLog } from '@fjord/log';
import { batchOf, batchesIn } from './batches.ts';
import { openLog, tempDir } from './log-fixture.ts';

interface Stored {
  segment: bigint;
  baseOffset: bigint;
  lastOffset: bigint;
  bytes: Buffer;
}

/**
 * What a read must return, from the batches as appended: the batch holding `offset` (or the first
 * after it) and those after it in the same segment, whole, within `maxBytes` except the first.
 */
function expected(stored: Stored[], offset: bigint, maxBytes: number): Buffer {
  const first = stored.findIndex((b) => b.lastOffset >= offset);
  if (first < 0) return Buffer.alloc(0);
  const out = [stored[first]!.bytes];
  let size = stored[first]!.bytes.length;
  for (let i = first + 1; i < stored.length && stored[i]!.segment === stored[first]!.segment; i++) {
    if (size + stored[i]!.bytes.length > maxBytes) break;
    out.push(stored[i]!.bytes);
    size += stored[i]!.bytes.length;
  }
  return Buffer.concat(out);
}

/** A deterministic mix of tiny batches, batches around the index interval and batches far above it. */
const SIZES = [30, 900, 20, 5000, 40, 40, 40, 2500, 12_000, 60, 1100, 70];

describe('PartitionLog reads', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: PartitionLog;
  let stored: Stored[];

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    log = await openLog(dir, { segmentBytes: 64 * 1024, indexIntervalBytes: 4096 });
    stored = [];
    for (let i = 0; i < 120; i++) {
      const bytes = batchOf(1 + (i % 4), SIZES[i % SIZES.length]!, 1_700_000_000_000n, 0x41 + (i % 26));
      const { baseOffset, lastOffset } = await log.append(bytes);
      stored.push({ segment: 0n, baseOffset, lastOffset, bytes: Buffer.from(bytes) });
    }
    const bases = log.segments().map((s) => s.baseOffset);
    for (const b of stored) {
      b.segment = bases.filter((base) => base <= b.baseOffset).at(-1)!;
      b.bytes.writeBigInt64BE(b.baseOffset, 0);
      b.bytes.writeInt32BE(0, 12);
    }
    expect(bases.length).toBeGreaterThan(3);
  });
  afterEach(async () => {
    await log?.close();
    await cleanup();
  });

  const readsMatch = async (offsets: bigint[], maxBytes: (i: number) => number) => {
    for (const [i, offset] of offsets.entries()) {
      const { records } = await log.read(offset, maxBytes(i));
      expect(records.equals(expected(stored, offset, maxBytes(i))), `read at ${offset} within ${maxBytes(i)}`).toBe(true);
    }
  };

  it('serve what the batches say, reading on from where each read ended, across segment boundaries', async () => {
    for (const maxBytes of [1, 3000, 9000, 70_000]) {
      let offset = 0n;
      while (offset < log.highWatermark) {
        const { records } = await log.read(offset, maxBytes);
        expect(records.equals(expected(stored, offset, maxBytes)), `read at ${offset} within ${maxBytes}`).toBe(true);
        offset = batchesIn(records).at(-1)!.lastOffset + 1n;
      }
      expect((await log.read(offset, maxBytes)).records.length).toBe(0);
    }
  });

  it('serve what the batches say from any offset, through the index', async () => {
    const offsets = Array.from({ length: Number(log.highWatermark) }, (_, i) => BigInt((i * 37) % Number(log.highWatermark)));
    await readsMatch(offsets, (i) => [1, 500, 4096, 20_000][i % 4]!);
  });

  it('serve what the batches say when an index entry lies further below than the configured interval', async () => {
    // Reopened with a smaller interval, the indexes kept from the clean shutdown are sparser than
    // the reads expect, so the batch sought can lie beyond the first read.
    await log.close();
    log = await openLog(dir, { segmentBytes: 64 * 1024, indexIntervalBytes: 64 });
    const offsets = Array.from({ length: Number(log.highWatermark) }, (_, i) => BigInt((i * 13) % Number(log.highWatermark)));
    await readsMatch(offsets, (i) => [1, 200, 3000][i % 3]!);
  });

  it('stop at the high watermark and are empty at the log end', async () => {
    const end = log.highWatermark;
    expect((await log.read(end, 1 << 20)).records.length).toBe(0);
    const { records } = await log.read(end - 1n, 1 << 20);
    expect(records.equals(stored.at(-1)!.bytes)).toBe(true);
  });
});
