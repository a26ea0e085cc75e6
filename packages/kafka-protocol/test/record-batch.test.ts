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
  compressionCodec,
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

  it.each([
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
  ])('compresses with %s and decodes back', (_name, compression) => {
    const records = Array.from({ length: 50 }, (_, i) => ({ key: `key-${i}`, value: 'payload '.repeat(20), timestamp: 1n }));
    const plain = encodeRecordBatch({ records });
    const compressed = encodeRecordBatch({ records, compression });
    expect(compressed.length).toBeLessThan(plain.length / 4);
    const batch = decodeRecordBatch(compressed);
    expect(batch.compression).toBe(compression);
    expect(batch.records.map((r) => r.key?.toString())).toEqual(records.map((r) => r.key));
    expect(batch.records[49].value?.toString()).toBe('payload '.repeat(20));
  });

  it('reads snappy in the xerial framing the Java client writes', () => {
    const payload = Buffer.from('framed by xerial '.repeat(100));
    const { compress } = compressionCodec(CompressionType.Snappy);
    const header = Buffer.from('82534e415050590000000001000000010000', 'hex').subarray(0, 16);
    const blocks = [payload.subarray(0, 700), payload.subarray(700)].flatMap((part) => {
      const block = compress(part);
      const size = Buffer.alloc(4);
      size.writeInt32BE(block.length);
      return [size, block];
    });
    const framed = Buffer.concat([header, ...blocks]);
    expect(compressionCodec(CompressionType.Snappy).decompress(framed).equals(payload)).toBe(true);
    const truncated = framed.subarray(0, framed.length - 3);
    expect(() => compressionCodec(CompressionType.Snappy).decompress(truncated)).toThrow(ProtocolError);
  });

  it('reads zstd frames that do not declare their content size (streaming producers)', async () => {
    const { CompressStream } = await import('zstd-napi');
    const payload = Buffer.from('streamed zstd '.repeat(500));
    const stream = new CompressStream();
    const parts: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => parts.push(chunk));
    const done = new Promise((resolve) => stream.on('end', resolve));
    stream.end(payload);
    await done;
    const frame = Buffer.concat(parts);
    expect(compressionCodec(CompressionType.Zstd).decompress(frame).equals(payload)).toBe(true);
  });

  it('turns garbage in a compressed batch into CORRUPT_RECORD', () => {
    for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      const buf = encodeRecordBatch({ records: [{ value: 'x'.repeat(500), timestamp: 0n }], compression });
      buf.fill(0x5a, 61 + 4);
      expect(() => decodeRecordBatch(buf, 0, { verifyCrc: false })).toThrow(ProtocolError);
    }
    const unknown = encodeRecordBatch({ records: [{ value: 'x', timestamp: 0n }] });
    unknown.writeInt16BE(5, BatchOffset.Attributes);
    expect(() => decodeRecordBatch(unknown, 0, { verifyCrc: false })).toThrow(/unknown compression type 5/);
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
