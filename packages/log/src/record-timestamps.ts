import { BATCH_HEADER_SIZE, BatchOffset, COMPRESSION_MASK, TIMESTAMP_TYPE_MASK } from '@fjord/kafka-protocol';

export interface RecordTimestamp {
  offsetDelta: number;
  timestamp: bigint;
}

/**
 * The first record of a batch whose timestamp is at least `target` and whose offset delta is at
 * least `minOffsetDelta` (records below the log start offset do not count). `records` is the batch's
 * record section, already decompressed when the batch is compressed. Only the fields in front of
 * the key are decoded; everything else is skipped by the record's length.
 */
export function firstRecordAtOrAfter(
  batch: Buffer,
  records: Buffer,
  target: bigint,
  minOffsetDelta = 0,
): RecordTimestamp | null {
  const attributes = batch.readInt16BE(BatchOffset.Attributes);
  if (attributes & TIMESTAMP_TYPE_MASK) {
    // LogAppendTime: every record carries the batch's max timestamp.
    const timestamp = batch.readBigInt64BE(BatchOffset.MaxTimestamp);
    return timestamp >= target ? { offsetDelta: minOffsetDelta, timestamp } : null;
  }
  const baseTimestamp = batch.readBigInt64BE(BatchOffset.BaseTimestamp);
  const count = batch.readInt32BE(BatchOffset.RecordCount);
  const cursor = { at: 0 };
  for (let i = 0; i < count && cursor.at < records.length; i++) {
    const length = readZigZagVarint(records, cursor);
    const end = cursor.at + length;
    cursor.at += 1; // attributes
    const timestamp = baseTimestamp + BigInt(readZigZagVarint(records, cursor));
    const offsetDelta = readZigZagVarint(records, cursor);
    if (timestamp >= target && offsetDelta >= minOffsetDelta) return { offsetDelta, timestamp };
    cursor.at = end;
  }
  return null;
}

export function recordSection(batch: Buffer): Buffer {
  return batch.subarray(BATCH_HEADER_SIZE);
}

/** Zigzag varint or varlong; deltas stay far below 2^53, so a number holds them. */
function readZigZagVarint(buf: Buffer, cursor: { at: number }): number {
  let value = 0;
  let scale = 1;
  for (let shift = 0; shift < 70; shift += 7) {
    if (cursor.at >= buf.length) throw new RangeError('varint runs past the end of the record section');
    const byte = buf[cursor.at++];
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }
  throw new RangeError('varint longer than 10 bytes');
}

export type Decompress = (codec: number, data: Buffer) => Buffer | Promise<Buffer>;

/**
 * The first record of a whole batch at or after `timestamp` and at or past `fromOffset`. Without a
 * decompressor, a compressed batch answers with its first offset (at or past `fromOffset`).
 */
export async function recordAtOrAfter(
  batch: Buffer,
  timestamp: bigint,
  fromOffset: bigint,
  decompress: Decompress | undefined,
): Promise<{ offset: bigint; timestamp: bigint } | null> {
  const baseOffset = batch.readBigInt64BE(BatchOffset.BaseOffset);
  const minOffsetDelta = fromOffset > baseOffset ? Number(fromOffset - baseOffset) : 0;
  const codec = batch.readInt16BE(BatchOffset.Attributes) & COMPRESSION_MASK;
  if (codec !== 0 && !decompress) {
    return { offset: baseOffset + BigInt(minOffsetDelta), timestamp: batch.readBigInt64BE(BatchOffset.MaxTimestamp) };
  }
  const records = codec === 0 ? recordSection(batch) : await decompress!(codec, recordSection(batch));
  const record = firstRecordAtOrAfter(batch, records, timestamp, minOffsetDelta);
  return record ? { offset: baseOffset + BigInt(record.offsetDelta), timestamp: record.timestamp } : null;
}
