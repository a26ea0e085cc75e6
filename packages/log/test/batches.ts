import { BATCH_HEADER_SIZE, BatchOffset, writeBatchCrc } from '@fjord/kafka-protocol';

export interface TestRecord {
  value: Buffer;
  timestamp: bigint;
  key?: Buffer | null;
}

/** A valid, uncompressed record batch v2 as a producer sends it (baseOffset 0). */
export function encodeBatch(records: TestRecord[]): Buffer {
  const baseTimestamp = records[0].timestamp;
  const encoded = records.map((record, index) => encodeRecord(record, index, baseTimestamp));
  const body = Buffer.concat(encoded);
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + body.length);
  batch.writeBigInt64BE(0n, BatchOffset.BaseOffset);
  batch.writeInt32BE(batch.length - 12, BatchOffset.BatchLength);
  batch.writeInt32BE(-1, BatchOffset.PartitionLeaderEpoch);
  batch.writeInt8(2, BatchOffset.Magic);
  batch.writeInt16BE(0, BatchOffset.Attributes);
  batch.writeInt32BE(records.length - 1, BatchOffset.LastOffsetDelta);
  batch.writeBigInt64BE(baseTimestamp, BatchOffset.BaseTimestamp);
  batch.writeBigInt64BE(records.reduce((max, r) => (r.timestamp > max ? r.timestamp : max), -1n), BatchOffset.MaxTimestamp);
  batch.writeBigInt64BE(-1n, BatchOffset.ProducerId);
  batch.writeInt16BE(-1, BatchOffset.ProducerEpoch);
  batch.writeInt32BE(-1, BatchOffset.BaseSequence);
  batch.writeInt32BE(records.length, BatchOffset.RecordCount);
  body.copy(batch, BATCH_HEADER_SIZE);
  writeBatchCrc(batch);
  return batch;
}

/** `count` records of `valueBytes` each, timestamps from `timestamp` upwards. */
export function batchOf(count: number, valueBytes: number, timestamp = 1_700_000_000_000n, fill = 0x61): Buffer {
  return encodeBatch(
    Array.from({ length: count }, (_, i) => ({ value: Buffer.alloc(valueBytes, fill), timestamp: timestamp + BigInt(i) })),
  );
}

function encodeRecord(record: TestRecord, offsetDelta: number, baseTimestamp: bigint): Buffer {
  const key = record.key ?? null;
  const parts = [
    Buffer.from([0]),
    zigzag(Number(record.timestamp - baseTimestamp)),
    zigzag(offsetDelta),
    zigzag(key ? key.length : -1),
    key ?? Buffer.alloc(0),
    zigzag(record.value.length),
    record.value,
    zigzag(0),
  ];
  const body = Buffer.concat(parts);
  return Buffer.concat([zigzag(body.length), body]);
}

function zigzag(value: number): Buffer {
  let n = value >= 0 ? value * 2 : -value * 2 - 1;
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** Splits a read result into batches: [baseOffset, recordCount] each. */
export function batchesIn(records: Buffer): { baseOffset: bigint; lastOffset: bigint; size: number }[] {
  const batches = [];
  let at = 0;
  while (at < records.length) {
    const size = 12 + records.readInt32BE(at + BatchOffset.BatchLength);
    const baseOffset = records.readBigInt64BE(at);
    batches.push({ baseOffset, lastOffset: baseOffset + BigInt(records.readInt32BE(at + BatchOffset.LastOffsetDelta)), size });
    at += size;
  }
  return batches;
}
