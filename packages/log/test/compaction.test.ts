import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompressionType, decodeRecordBatches, encodeRecordBatch, type RecordInput } from '@fjord/kafka-protocol';
import type { PartitionLog } from '@fjord/log';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLog, tempDir } from './log-fixture.ts';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;

/** Every record from the log start, as [offset, key, value]. */
async function records(log: PartitionLog): Promise<[bigint, string | null, string | null][]> {
  const out: [bigint, string | null, string | null][] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const { records: bytes } = await log.read(offset, 64 * 1024);
    if (bytes.length === 0) break;
    for (const batch of decodeRecordBatches(bytes)) {
      for (const r of batch.records) out.push([r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null]);
      offset = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n;
    }
  }
  return out;
}

const record = (key: string | null, value: string | null, timestamp = NOW): RecordInput => ({ key, value, timestamp: BigInt(timestamp) });

describe('log compaction', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });

  afterEach(async () => {
    await cleanup();
  });

  it('keeps only the newest record per key in closed segments, keeping offsets, producer fields and codecs', async () => {
    let log = await openLog(dir, { segmentBytes: 1024, indexIntervalBytes: 128 });
    const latestOffset = new Map<string, bigint>();
    const append = async (batch: RecordInput[], extra: Parameters<typeof encodeRecordBatch>[0] = { records: [] }) => {
      const { baseOffset } = await log.append(encodeRecordBatch({ ...extra, records: batch }));
      batch.forEach((r, i) => latestOffset.set(String(r.key), baseOffset + BigInt(i)));
    };
    // An idempotent producer's batch whose first two records are superseded later.
    await append([record('a', 'a0'), record('b', 'b0'), record('c', 'c0')], { records: [], producerId: 7n, producerEpoch: 0, baseSequence: 0 });
    for (let round = 1; round <= 4; round++) {
      for (const key of ['a', 'b', 'd', 'e']) await append([record(key, `${key}${round}`)]);
      await append([record('g', `g${round}`), record('h', `h${round}`)], { records: [], compression: CompressionType.Gzip });
    }
    await append([record(null, 'no key')]);
    await append([record('old-tombstone', 'x')]);
    await append([record('old-tombstone', null, NOW - 2 * HOUR)]);
    await append([record('new-tombstone', 'y')]);
    await append([record('new-tombstone', null, NOW)]);
    // Fillers with unique keys push everything above into closed segments.
    for (let i = 0; i < 20; i++) await append([record(`filler-${i}`, 'f'.repeat(60))]);
    const highWatermark = log.highWatermark;
    expect(log.segments().length).toBeGreaterThan(4);

    const result = await log.compact({ deleteRetentionMs: HOUR, now: NOW + 1000 });
    expect(result.cleanedSegments).toBeGreaterThan(0);
    // a and b lose 4 each; d, e, g and h lose 3 each; old-tombstone loses its value and itself, new-tombstone its value.
    expect(result.removedRecords).toBe(4 + 4 + 3 * 4 + 2 + 1);
    expect(log.highWatermark).toBe(highWatermark);

    const expectLatest = async () => {
      const seen = await records(log);
      const byKey = new Map<string | null, [bigint, string | null][]>();
      for (const [offset, key, value] of seen) byKey.set(key, [...(byKey.get(key) ?? []), [offset, value]]);
      expect(byKey.get('a')).toEqual([[latestOffset.get('a'), 'a4']]);
      expect(byKey.get('b')).toEqual([[latestOffset.get('b'), 'b4']]);
      expect(byKey.get('c')).toEqual([[latestOffset.get('c'), 'c0']]);
      expect(byKey.get('g')).toEqual([[latestOffset.get('g'), 'g4']]);
      expect(byKey.get('h')).toEqual([[latestOffset.get('h'), 'h4']]);
      expect(byKey.get(null)).toEqual([[latestOffset.get('null'), 'no key']]);
      // An expired tombstone is gone with everything before it; a recent one is still the key's latest value.
      expect(byKey.has('old-tombstone')).toBe(false);
      expect(byKey.get('new-tombstone')).toEqual([[latestOffset.get('new-tombstone'), null]]);
      expect([...byKey.values()].every((list) => list.length === 1)).toBe(true);
      const offsets = seen.map(([offset]) => offset);
      expect([...offsets].sort((x, y) => (x < y ? -1 : 1))).toEqual(offsets);
    };
    await expectLatest();

    // The re-encoded first batch keeps its producer id, epoch, base sequence and last offset delta.
    const [first] = decodeRecordBatches((await log.read(0n, 1)).records);
    expect(first).toMatchObject({ baseOffset: 0n, producerId: 7n, producerEpoch: 0, baseSequence: 0, lastOffsetDelta: 2 });
    expect(first!.records.map((r) => r.key!.toString())).toEqual(['c']);

    expect(await log.compact({ deleteRetentionMs: HOUR, now: NOW + 1000 })).toEqual({ cleanedSegments: 0, removedRecords: 0 });
    const appended = await log.append(encodeRecordBatch({ records: [record('a', 'a5')] }));
    expect(appended.baseOffset).toBe(highWatermark);
    latestOffset.set('a', appended.baseOffset);
    // One new record is not worth a pass at the default dirty ratio.
    expect((await log.compact({ deleteRetentionMs: HOUR, now: NOW + 1000 })).removedRecords).toBe(0);

    // The first pass after opening always runs, over the segments compacted before.
    await log.close();
    log = await openLog(dir, { segmentBytes: 1024, indexIntervalBytes: 128 });
    expect((await log.compact({ deleteRetentionMs: HOUR, now: NOW + 1000 })).removedRecords).toBe(1);
    expect((await records(log)).filter(([, key]) => key === 'a')).toEqual([[appended.baseOffset, 'a', 'a5']]);
    await log.close();
  });

  it('reopens after a crash in the middle of a segment swap', async () => {
    let log = await openLog(dir, { segmentBytes: 1024, indexIntervalBytes: 128 });
    for (let i = 0; i < 60; i++) await log.append(encodeRecordBatch({ records: [record(`k${i % 3}`, `v${i}`)] }));
    await log.compact({ deleteRetentionMs: HOUR, now: NOW });
    const before = await records(log);
    expect(before.length).toBeLessThan(60);
    expect(before.map(([, , value]) => value)).toEqual(expect.arrayContaining(['v57', 'v58', 'v59']));
    await log.close();

    // A crash after removing a compacted segment's indexes, with a half-written clean file beside it.
    const first = log.segments()[0]!;
    await rm(first.files.offsetIndex);
    await rm(first.files.timeIndex);
    await writeFile(`${first.files.log}.cleaned`, Buffer.from('half a segment'));
    log = await openLog(dir, { segmentBytes: 1024, indexIntervalBytes: 128 });
    expect(await records(log)).toEqual(before);
    expect((await readdir(dir)).some((name) => name.endsWith('.cleaned'))).toBe(false);
    await log.close();
  });

  it('removes a tombstone only once delete retention has passed', async () => {
    const log = await openLog(dir, { segmentBytes: 1024 });
    await log.append(encodeRecordBatch({ records: [record('k', 'v')] }));
    await log.append(encodeRecordBatch({ records: [record('k', null, NOW)] }));
    for (let i = 0; i < 20; i++) await log.append(encodeRecordBatch({ records: [record(`filler-${i}`, 'f'.repeat(60))] }));

    await log.compact({ deleteRetentionMs: HOUR, now: NOW + 1000 });
    expect((await records(log)).filter(([, key]) => key === 'k')).toEqual([[1n, 'k', null]]);
    await log.compact({ deleteRetentionMs: HOUR, now: NOW + HOUR + 1 });
    expect((await records(log)).filter(([, key]) => key === 'k')).toEqual([]);
    await log.close();
  });
});
