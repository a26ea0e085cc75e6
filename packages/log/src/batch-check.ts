import {
  BATCH_HEADER_SIZE,
  BATCH_LOG_OVERHEAD,
  BatchOffset,
  batchCrcValid,
} from '@fjord/kafka-protocol';
import { LogError } from './errors.ts';

export type BatchProblem = 'truncated' | 'bad-length' | 'bad-magic' | 'bad-offset-delta' | 'bad-crc';

/** What is wrong with the bytes at `position` as a record batch v2, or null when they hold a whole valid batch. */
export function batchProblem(buf: Buffer, position: number): BatchProblem | null {
  if (buf.length - position < BATCH_HEADER_SIZE) return 'truncated';
  const batchLength = buf.readInt32BE(position + BatchOffset.BatchLength);
  if (batchLength < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD) return 'bad-length';
  if (buf.length - position < BATCH_LOG_OVERHEAD + batchLength) return 'truncated';
  if (buf.readInt8(position + BatchOffset.Magic) !== 2) return 'bad-magic';
  if (buf.readInt32BE(position + BatchOffset.LastOffsetDelta) < 0) return 'bad-offset-delta';
  if (buf.readInt32BE(position + BatchOffset.RecordCount) < 0) return 'bad-offset-delta';
  if (!batchCrcValid(buf, position)) return 'bad-crc';
  return null;
}

export interface ProducedBatch {
  position: number;
  size: number;
  lastOffsetDelta: number;
  maxTimestamp: bigint;
}

/**
 * Checks every batch of a produce payload before anything is written, so a bad batch
 * rejects the whole request and leaves the log untouched.
 */
export function checkProducedBatches(records: Buffer, maxBatchBytes: number): ProducedBatch[] {
  if (records.length === 0) throw new LogError('CORRUPT_MESSAGE', 'no record batch');
  const batches: ProducedBatch[] = [];
  let position = 0;
  while (position < records.length) {
    if (records.length - position >= BATCH_LOG_OVERHEAD) {
      const size = BATCH_LOG_OVERHEAD + records.readInt32BE(position + BatchOffset.BatchLength);
      if (size > maxBatchBytes) {
        throw new LogError('RECORD_TOO_LARGE', `batch of ${size} bytes, maximum ${maxBatchBytes}`);
      }
    }
    const problem = batchProblem(records, position);
    if (problem) throw new LogError('CORRUPT_MESSAGE', `${problem} at byte ${position}`);
    const size = BATCH_LOG_OVERHEAD + records.readInt32BE(position + BatchOffset.BatchLength);
    batches.push({
      position,
      size,
      lastOffsetDelta: records.readInt32BE(position + BatchOffset.LastOffsetDelta),
      maxTimestamp: records.readBigInt64BE(position + BatchOffset.MaxTimestamp),
    });
    position += size;
  }
  return batches;
}
