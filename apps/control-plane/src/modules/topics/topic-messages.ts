import type { MessageBytes, TopicMessage, TopicMessages } from '@fjord/api';
import type { DecodedRecord, RecordBatch } from '@fjord/kafka-protocol';
import { ApiProblem } from '../../errors.ts';
import { partitionKey, type AdminClient } from '../../kafka/index.ts';

/** Bytes asked for per Fetch; a larger first batch still comes whole (Kafka never answers less than one batch). */
const FETCH_BYTES = 1024 * 1024;
/** Stops reading a partition after this many bytes, so a read of huge records stays bounded. */
const READ_BUDGET_BYTES = 16 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bytes(value: Buffer | null): MessageBytes {
  if (value === null) return null;
  try {
    return { encoding: 'utf8', data: utf8.decode(value) };
  } catch {
    return { encoding: 'base64', data: value.toString('base64') };
  }
}

function message(partition: number, batch: RecordBatch, record: DecodedRecord): TopicMessage {
  // A LogAppendTime batch carries the broker's time as its max timestamp, for every record.
  const timestamp = batch.logAppendTime ? batch.maxTimestamp : record.timestamp;
  return {
    partition,
    offset: Number(record.offset),
    timestamp: new Date(Number(timestamp)).toISOString(),
    timestampType: batch.logAppendTime ? 'LogAppendTime' : 'CreateTime',
    key: bytes(record.key),
    value: bytes(record.value),
    headers: record.headers.map((h) => ({ key: h.key, value: bytes(h.value) })),
  };
}

/**
 * The latest `limit` records of one partition, as a consumer reads them (Fetch from its leader,
 * from `highWatermark - limit`), oldest first; transaction markers are not records and are skipped.
 */
export async function latestMessages(admin: AdminClient, name: string, partition: number, limit: number): Promise<TopicMessages> {
  const [topic] = (await admin.metadata([name])).topics;
  if (!topic.partitions.some((p) => p.partition === partition)) {
    const detail = `topic ${name} has ${topic.partitions.length} partition(s), numbered from 0`;
    throw new ApiProblem('FJ_VALIDATION', detail, [{ field: 'query.partition', message: detail }]);
  }
  const offsets = (await admin.offsets([{ ...topic, partitions: topic.partitions.filter((p) => p.partition === partition) }])).get(partitionKey(name, partition));
  const logStartOffset = offsets?.logStartOffset ?? 0n;
  const highWatermark = offsets?.highWatermark ?? 0n;
  const items: TopicMessage[] = [];
  let next = highWatermark - BigInt(limit) > logStartOffset ? highWatermark - BigInt(limit) : logStartOffset;
  let budget = READ_BUDGET_BYTES;
  while (next < highWatermark && budget > 0) {
    const batches = await admin.fetch(topic, partition, next, FETCH_BYTES);
    const from = next;
    for (const batch of batches) {
      budget -= batch.batchLength;
      if (!batch.control) {
        for (const record of batch.records) if (record.offset >= next && record.offset < highWatermark) items.push(message(partition, batch, record));
      }
      const after = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n;
      if (after > next) next = after;
    }
    // Nothing new (an empty answer, or a batch too large for one Fetch): answer what was read.
    if (next === from) break;
  }
  return { topic: name, partition, logStartOffset: Number(logStartOffset), highWatermark: Number(highWatermark), items: items.slice(-limit) };
}
