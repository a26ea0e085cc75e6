import { decodeRecordBatch, encodeRecordBatch, type CompressionType, type DecodedRecord, type RecordBatch } from '@fjord/kafka-protocol';

/*
 * Log compaction keeps, for every key, only the record with the highest offset. It works on whole
 * batches, as Kafka's cleaner does for record batch v2: a batch whose records all survive is kept
 * byte for byte; one that loses some is re-encoded with its original base offset, last offset
 * delta, producer id/epoch/sequence and codec, its surviving records keeping their offset deltas;
 * one that loses all is dropped. Offsets never change, so a compacted log has gaps, which
 * consumers skip. Keys are compared as bytes.
 */

/** Latest offset per key. A Map keyed by the key's bytes read as latin1, a 1:1 mapping of bytes to a string. */
export type KeyOffsets = Map<string, bigint>;

export interface CompactionPolicy {
  /** How long a tombstone (a null value) stays after it became its key's latest record, by its timestamp. */
  deleteRetentionMs: number;
  now: number;
}

const keyOf = (key: Buffer): string => key.toString('latin1');

/** Records every keyed record's offset, so later batches overwrite earlier ones. */
export function indexKeys(batch: Buffer, latest: KeyOffsets): void {
  const decoded = decodeRecordBatch(batch);
  if (decoded.control) return;
  for (const record of decoded.records) {
    if (record.key !== null) latest.set(keyOf(record.key), record.offset);
  }
}

export interface CompactedBatch {
  /** The batch to keep (the original bytes when nothing changed), or null to drop it. */
  batch: Buffer | null;
  removedRecords: number;
  /** The earliest time a tombstone kept in this batch may be removed (Infinity when it keeps none). */
  tombstoneExpiry: number;
}

/** What compaction keeps of one stored batch. */
export function compactBatch(batch: Buffer, latest: KeyOffsets, policy: CompactionPolicy): CompactedBatch {
  const decoded = decodeRecordBatch(batch);
  if (decoded.control) return { batch, removedRecords: 0, tombstoneExpiry: Number.POSITIVE_INFINITY };
  let tombstoneExpiry = Number.POSITIVE_INFINITY;
  const kept = decoded.records.filter((record) => {
    // Records without a key are never superseded; Kafka refuses them on compacted topics, this log keeps them.
    if (record.key === null) return true;
    if (latest.get(keyOf(record.key)) !== record.offset) return false;
    if (record.value !== null) return true;
    const expiry = Number(record.timestamp) + policy.deleteRetentionMs;
    if (expiry <= policy.now) return false;
    tombstoneExpiry = Math.min(tombstoneExpiry, expiry);
    return true;
  });
  const removedRecords = decoded.records.length - kept.length;
  if (removedRecords === 0) return { batch, removedRecords, tombstoneExpiry };
  if (kept.length === 0) return { batch: null, removedRecords, tombstoneExpiry };
  return { batch: reencode(decoded, kept), removedRecords, tombstoneExpiry };
}

function reencode(original: RecordBatch, kept: DecodedRecord[]): Buffer {
  const maxTimestamp = original.logAppendTime
    ? original.maxTimestamp
    : kept.reduce((max, r) => (r.timestamp > max ? r.timestamp : max), kept[0]!.timestamp);
  return encodeRecordBatch({
    baseOffset: original.baseOffset,
    partitionLeaderEpoch: original.partitionLeaderEpoch,
    compression: original.compression as CompressionType,
    logAppendTime: original.logAppendTime,
    transactional: original.transactional,
    baseTimestamp: original.baseTimestamp,
    maxTimestamp,
    producerId: original.producerId,
    producerEpoch: original.producerEpoch,
    baseSequence: original.baseSequence,
    lastOffsetDelta: original.lastOffsetDelta,
    records: kept.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offsetDelta })),
  });
}
