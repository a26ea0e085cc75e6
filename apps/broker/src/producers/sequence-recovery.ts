import { BATCH_HEADER_SIZE, batchSize, readBatchHeader } from '@fjord/kafka-protocol';
import type { PartitionLog } from '@fjord/log';
import type { ProducerBatch } from './sequence-tracker.ts';
import { SequenceTracker } from './sequence-tracker.ts';

/** How far back from the high watermark producer state is rebuilt: retries concern only the last few batches. */
const RECOVERY_OFFSETS = 10_000n;
const READ_BYTES = 4 * 1024 * 1024;

/** The idempotent-producer batches among the last RECOVERY_OFFSETS offsets of a log, oldest first. */
async function recentProducerBatches(log: PartitionLog): Promise<(ProducerBatch & { baseOffset: bigint })[]> {
  const batches: (ProducerBatch & { baseOffset: bigint })[] = [];
  const end = log.highWatermark;
  let offset = end - RECOVERY_OFFSETS > log.logStartOffset ? end - RECOVERY_OFFSETS : log.logStartOffset;
  while (offset < end) {
    const { records } = await log.read(offset, READ_BYTES);
    const before = offset;
    for (let at = 0; at + BATCH_HEADER_SIZE <= records.length; at += batchSize(records, at)) {
      const header = readBatchHeader(records, at);
      offset = header.baseOffset + BigInt(header.lastOffsetDelta) + 1n;
      if (header.producerId >= 0n) batches.push({ ...header, baseOffset: header.baseOffset });
    }
    if (offset <= before) break;
  }
  return batches;
}

/** The sequence state of a partition, rebuilt from its log; a log that cannot be read starts empty. */
export async function recoverSequences(log: PartitionLog): Promise<SequenceTracker> {
  try {
    return SequenceTracker.fromLog(await recentProducerBatches(log));
  } catch {
    return new SequenceTracker();
  }
}
