import { Api, ErrorCode, type ListOffsetsPartitionResponse } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';
import { logErrorCode } from './log-errors.ts';

const LATEST = -1n;
const EARLIEST = -2n;
/** KIP-405/KIP-1005: the first offset on local disk, and the last offset in remote storage. */
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;

export const listOffsetsHandler = defineHandler(Api.ListOffsets, async (request, _version, { broker, logger }) => {
  const topics = [];
  for (const { name, partitions } of request.topics) {
    const out: ListOffsetsPartitionResponse[] = [];
    for (const { partitionIndex, timestamp } of partitions) {
      const answer = (errorCode: number, offset: bigint, ts = -1n): ListOffsetsPartitionResponse => ({
        partitionIndex,
        errorCode,
        timestamp: ts,
        offset,
        leaderEpoch: 0,
      });
      const log = broker.topics.partition(name, partitionIndex);
      if (!log) {
        out.push(answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n));
      } else if (timestamp === LATEST) {
        out.push(answer(ErrorCode.NONE, log.highWatermark));
      } else if (timestamp === EARLIEST) {
        out.push(answer(ErrorCode.NONE, log.logStartOffset));
      } else if (timestamp === EARLIEST_LOCAL) {
        out.push(answer(ErrorCode.NONE, log.localLogStartOffset));
      } else if (timestamp === LATEST_TIERED) {
        // As Kafka answers: -1 while nothing is remote.
        out.push(answer(ErrorCode.NONE, log.remoteNextOffset === null ? -1n : log.remoteNextOffset - 1n));
      } else if (timestamp < 0n) {
        // -3 (max timestamp) is not offered.
        out.push(answer(ErrorCode.UNSUPPORTED_VERSION, -1n));
      } else {
        try {
          const found = await log.offsetForTimestamp(timestamp);
          out.push(found ? answer(ErrorCode.NONE, found.offset, found.timestamp) : answer(ErrorCode.NONE, -1n));
        } catch (err) {
          out.push(answer(logErrorCode(err, logger, { topic: name, partition: partitionIndex }).errorCode, -1n));
        }
      }
    }
    topics.push({ name, partitions: out });
  }
  return { throttleTimeMs: 0, topics };
});
