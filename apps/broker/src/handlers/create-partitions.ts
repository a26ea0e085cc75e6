import { Api, ErrorCode, type CreatePartitionsTopicResult } from '@fjord/kafka-protocol';
import { TopicError } from '../topics/topic-error.ts';
import { defineHandler } from './handler.ts';
import { topicErrorCode } from './topic-errors.ts';

export const createPartitionsHandler = defineHandler(Api.CreatePartitions, async (request, _version, { broker, logger }) => {
  const results: CreatePartitionsTopicResult[] = [];
  for (const { name, count, assignments } of request.topics) {
    try {
      if (assignments?.some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== broker.config.nodeId)) {
        throw new TopicError('INVALID_REPLICA_ASSIGNMENT', `new partitions can only be placed on broker ${broker.config.nodeId}`);
      }
      if (request.validateOnly) broker.topics.validateAddPartitions(name, count);
      else await broker.topics.addPartitions(name, count);
      results.push({ name, errorCode: ErrorCode.NONE, errorMessage: null });
    } catch (err) {
      results.push({ name, ...topicErrorCode(err, logger, { topic: name }) });
    }
  }
  return { throttleTimeMs: 0, results };
});
