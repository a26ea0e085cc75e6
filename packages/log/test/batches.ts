import { BatchOffset, CompressionType, encodeRecordBatch } from '@fjord/kafka-protocol';

export interface TestRecord {
  value: Buffer;
  timestamp: bigint;
  key?: Buffer | null;
}

/** A valid record batch v2 as a producer sends it (baseOffset 0, leader epoch -1). */
export function encodeBatch(records: TestRecord[], compression: CompressionType = CompressionType.None): Buffer {
  return encodeRecordBatch({
    records: records.map((record) => ({ key: record.key ?? null, value: record.value, timestamp: record.timestamp })),
    compression,
  });
}

/** `count` records of `valueBytes` each, timestamps from `timestamp` upwards. */
export function batchOf(count: number, valueBytes: number, timestamp = 1_700_000_000_000n, fill = 0x61): Buffer {
  return encodeBatch(
    Array.from({ length: count }, (_, i) => ({ value: Buffer.alloc(valueBytes, fill), timestamp: timestamp + BigInt(i) })),
  );
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
