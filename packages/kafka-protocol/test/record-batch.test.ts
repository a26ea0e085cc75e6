import { describe, expect, it } from 'vitest';
import {
  BatchOffset,
  CompressionType,
  ProtocolError,
  batchCrcValid,
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  readBatchHeader,
  splitRecordBatches,
} from '../src/index.ts';

const sample = {
  baseOffset: 100n,
  partitionLeaderEpoch: 3,
  producerId: 42n,
  producerEpoch: 1,
  baseSequence: 7,
  records: [
    { key: 'k0', value: 'v0', timestamp: 1700000000000n, headers: [{ key: 'h', value: 'x' }, { key: 'n', value: null }] },
    { key: null, value: Buffer.from([0, 1, 2]), timestamp: 1700000000500n },
    { value: null, timestamp: 1699999999000n },
  ],
};

describe('record batch v2', () => {
  it('round-trips records, timestamps, headers and producer state', () => {
    const buf = encodeRecordBatch(sample);
    expect(batchCrcValid(buf)).toBe(true);
    const batch = decodeRecordBatch(buf);
    expect(batch).toMatchObject({
      baseOffset: 100n,
      partitionLeaderEpoch: 3,
      magic: 2,
      baseTimestamp: 1699999999000n,
      maxTimestamp: 1700000000500n,
      producerId: 42n,
      producerEpoch: 1,
      baseSequence: 7,
      lastOffsetDelta: 2,
      recordCount: 3,
      compression: CompressionType.None,
      transactional: false,
      control: false,
    });
    expect(batch.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value])).toEqual([
      [100n, 1700000000000n, 'k0', Buffer.from('v0')],
      [101n, 1700000000500n, null, Buffer.from([0, 1, 2])],
      [102n, 1699999999000n, null, null],
    ]);
    expect(batch.records[0].headers).toEqual([
      { key: 'h', value: Buffer.from('x') },
      { key: 'n', value: null },
    ]);
  });

  it('sets attribute flags', () => {
    const batch = decodeRecordBatch(encodeRecordBatch({ ...sample, transactional: true, control: true, logAppendTime: true }));
    expect(batch).toMatchObject({ transactional: true, control: true, logAppendTime: true });
    expect(batch.attributes).toBe(0x10 | 0x20 | 0x08);
  });

  it('compresses with gzip and decodes back', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ key: `key-${i}`, value: 'payload '.repeat(20), timestamp: 1n }));
    const plain = encodeRecordBatch({ records });
    const gzip = encodeRecordBatch({ records, compression: CompressionType.Gzip });
    expect(gzip.length).toBeLessThan(plain.length / 4);
    const batch = decodeRecordBatch(gzip);
    expect(batch.compression).toBe(CompressionType.Gzip);
    expect(batch.records.map((r) => r.key?.toString())).toEqual(records.map((r) => r.key));
  });

  it('keeps offsets and leader epoch outside the CRC, so the broker can rewrite them', () => {
    const buf = encodeRecordBatch(sample);
    buf.writeBigInt64BE(5000n, BatchOffset.BaseOffset);
    buf.writeInt32BE(9, BatchOffset.PartitionLeaderEpoch);
    expect(batchCrcValid(buf)).toBe(true);
    expect(decodeRecordBatch(buf).records[2].offset).toBe(5002n);
  });

  it('splits a record set and tolerates a partial tail only when asked', () => {
    const a = encodeRecordBatch(sample);
    const b = encodeRecordBatch({ ...sample, baseOffset: 103n });
    const set = Buffer.concat([a, b]);
    expect(splitRecordBatches(set).map((x) => x.length)).toEqual([a.length, b.length]);
    const cut = set.subarray(0, set.length - 5);
    expect(() => splitRecordBatches(cut)).toThrow(ProtocolError);
    expect(splitRecordBatches(cut, { allowPartialTail: true })).toHaveLength(1);
    expect(decodeRecordBatches(cut).map((x) => x.baseOffset)).toEqual([100n]);
    expect(readBatchHeader(splitRecordBatches(set)[1]).baseOffset).toBe(103n);
  });

  it('rejects corrupt batches with CORRUPT_RECORD', () => {
    const good = encodeRecordBatch(sample);
    const cases: Array<[string, Buffer]> = [];
    const flipped = Buffer.from(good);
    flipped[good.length - 2] ^= 1;
    cases.push(['bad CRC', flipped]);
    const magic1 = Buffer.from(good);
    magic1.writeInt8(1, BatchOffset.Magic);
    cases.push(['magic 1', magic1]);
    const shortLength = Buffer.from(good);
    shortLength.writeInt32BE(10, BatchOffset.BatchLength);
    cases.push(['length below header size', shortLength]);
    cases.push(['truncated', good.subarray(0, good.length - 1)]);
    cases.push(['header only', good.subarray(0, 30)]);
    for (const [name, buf] of cases) {
      expect(() => decodeRecordBatch(buf), name).toThrow(ProtocolError);
      try {
        decodeRecordBatch(buf);
      } catch (err) {
        expect((err as ProtocolError).code, name).toBe('CORRUPT_RECORD');
      }
    }
  });

  it('rejects a record count that does not match the records', () => {
    const buf = encodeRecordBatch(sample);
    buf.writeInt32BE(4, BatchOffset.RecordCount);
    expect(() => decodeRecordBatch(buf, 0, { verifyCrc: false })).toThrow(/CORRUPT|malformed|record/);
    buf.writeInt32BE(2, BatchOffset.RecordCount);
    expect(() => decodeRecordBatch(buf, 0, { verifyCrc: false })).toThrow(/bytes after the last/);
  });
});
