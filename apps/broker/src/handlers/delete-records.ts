import { Api, ErrorCode, type DeleteRecordsTopicResult } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';
import { logErrorCode } from './log-errors.ts';

/** Advances each partition's log start offset; -1 means up to the high watermark. */
export const deleteRecordsHandler = defineHandler(Api.DeleteRecords, async (request, _version, { broker, logger }) => {
  const topics: DeleteRecordsTopicResult[] = [];
  for (const { name, partitions } of request.topics) {
    const results = [];
    for (const { partitionIndex, offset } of partitions) {
      const log = broker.topics.partition(name, partitionIndex);
      if (!log) {
        results.push({ partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        continue;
      }
      try {
        const lowWatermark = await log.deleteRecordsBefore(offset === -1n ? log.highWatermark : offset);
        results.push({ partitionIndex, lowWatermark, errorCode: ErrorCode.NONE });
      } catch (err) {
        results.push({ partitionIndex, lowWatermark: -1n, errorCode: logErrorCode(err, logger, { topic: name, partition: partitionIndex }).errorCode });
      }
    }
    topics.push({ name, partitions: results });
  }
  return { throttleTimeMs: 0, topics };
});
