import { Api, ErrorCode, type ProduceResponsePartitionProduceResponse } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';
import { logErrorCode } from './log-errors.ts';

const VALID_ACKS = new Set([0, 1, -1]);

function failed(index: number, errorCode: number, errorMessage: string | null = null): ProduceResponsePartitionProduceResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage };
}

/**
 * Appends each partition's batches to its log. All appends of the request start at once, in
 * request order, so they share the log's group commit; acks=1 and acks=-1 both answer once the
 * append is durable (a single replica is the whole ISR). acks=0 gets no response at all.
 */
export const produceHandler = defineHandler(Api.Produce, async (request, _version, { broker, logger }) => {
  const { acks } = request;
  const responses = request.topicData.map(({ name, partitionData }) => ({
    name,
    partitionResponses: partitionData.map(async ({ index, records }): Promise<ProduceResponsePartitionProduceResponse> => {
      if (!VALID_ACKS.has(acks)) return failed(index, ErrorCode.INVALID_REQUIRED_ACKS);
      const log = broker.topics.partition(name, index);
      if (!log) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (records === null || records.length === 0) return failed(index, ErrorCode.CORRUPT_MESSAGE, 'no record batch');
      try {
        const result = await log.append(records);
        return {
          index,
          errorCode: ErrorCode.NONE,
          baseOffset: result.baseOffset,
          logAppendTimeMs: -1n,
          logStartOffset: result.logStartOffset,
          recordErrors: [],
          errorMessage: null,
        };
      } catch (err) {
        const { errorCode, errorMessage } = logErrorCode(err, logger, { topic: name, partition: index });
        return failed(index, errorCode, errorMessage);
      }
    }),
  }));
  const settled = await Promise.all(
    responses.map(async ({ name, partitionResponses }) => ({ name, partitionResponses: await Promise.all(partitionResponses) })),
  );
  if (acks === 0) return null;
  return { responses: settled, throttleTimeMs: 0 };
});
