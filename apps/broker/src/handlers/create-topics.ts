import { Api, ErrorCode, type CreateTopicsRequestCreatableTopic, type CreateTopicsResponseCreatableTopicResult } from '@fjord/kafka-protocol';
import type { BrokerContext } from '../broker-context.ts';
import { TopicError } from '../topics/topic-error.ts';
import { CONFIG_SOURCE } from './describe-configs.ts';
import { defineHandler } from './handler.ts';
import { topicErrorCode } from './topic-errors.ts';

const DEFAULT_PARTITIONS = 1;

/** Partition count from either numPartitions or an explicit assignment, which on one broker may only name this broker. */
function partitionCount(topic: CreateTopicsRequestCreatableTopic, nodeId: number): number {
  if (topic.assignments.length === 0) return topic.numPartitions === -1 ? DEFAULT_PARTITIONS : topic.numPartitions;
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
    throw new TopicError('INVALID_REQUEST', 'give either an assignment or numPartitions and replicationFactor, not both');
  }
  topic.assignments.forEach((a, i) => {
    if (a.partitionIndex !== i || a.brokerIds.length !== 1 || a.brokerIds[0] !== nodeId) {
      throw new TopicError('INVALID_REPLICA_ASSIGNMENT', `assignments must list partitions 0..n-1, each on broker ${nodeId}`);
    }
  });
  return topic.assignments.length;
}

function configsOf(topic: CreateTopicsRequestCreatableTopic): Record<string, string | null> {
  return Object.fromEntries(topic.configs.map((c) => [c.name, c.value]));
}

export function createdTopicResult(broker: BrokerContext, name: string): CreateTopicsResponseCreatableTopicResult {
  const topic = broker.topics.get(name)!;
  return {
    name,
    topicId: topic.topicId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: topic.partitions.length,
    replicationFactor: 1,
    configs: [...broker.topics.effectiveConfig(topic)].map(([configName, c]) => ({
      name: configName,
      value: c.value,
      readOnly: false,
      configSource: c.isDefault ? CONFIG_SOURCE.DEFAULT_CONFIG : CONFIG_SOURCE.DYNAMIC_TOPIC_CONFIG,
      isSensitive: false,
    })),
  };
}

export const createTopicsHandler = defineHandler(Api.CreateTopics, async (request, _version, { broker, logger }) => {
  const seen = new Map<string, number>();
  for (const t of request.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  const topics: CreateTopicsResponseCreatableTopicResult[] = [];
  for (const t of request.topics) {
    const failed = (errorCode: number, errorMessage: string): CreateTopicsResponseCreatableTopicResult => ({
      name: t.name,
      errorCode,
      errorMessage,
      topicConfigErrorCode: ErrorCode.NONE,
      numPartitions: -1,
      replicationFactor: -1,
      configs: null,
    });
    if (seen.get(t.name)! > 1) {
      topics.push(failed(ErrorCode.INVALID_REQUEST, `topic ${t.name} appears more than once in the request`));
      continue;
    }
    try {
      const partitions = partitionCount(t, broker.config.nodeId);
      const replicationFactor = t.assignments.length > 0 ? 1 : t.replicationFactor;
      if (request.validateOnly) {
        broker.topics.validateCreate(t.name, partitions, replicationFactor, configsOf(t));
        topics.push({ ...failed(ErrorCode.NONE, ''), errorMessage: null, numPartitions: partitions, replicationFactor: 1 });
        continue;
      }
      await broker.topics.create(t.name, partitions, replicationFactor, configsOf(t));
      topics.push(createdTopicResult(broker, t.name));
    } catch (err) {
      const { errorCode, errorMessage } = topicErrorCode(err, logger, { topic: t.name });
      topics.push(failed(errorCode, errorMessage));
    }
  }
  return { throttleTimeMs: 0, topics };
});
