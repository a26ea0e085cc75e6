import { Api, ErrorCode, type MetadataResponseTopic } from '@fjord/kafka-protocol';
import type { BrokerContext } from '../broker-context.ts';
import type { Topic } from '../topics/topic-registry.ts';
import { TopicError } from '../topics/topic-error.ts';
import { topicNameProblem } from '../topics/topic-name.ts';
import { defineHandler } from './handler.ts';

/** "Not requested" for the authorized-operations fields. */
const OPERATIONS_OMITTED = -2147483648;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export function describeTopic(broker: BrokerContext, topic: Topic): MetadataResponseTopic {
  const nodeId = broker.config.nodeId;
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: false,
    partitions: topic.partitions.map((_, partitionIndex) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: OPERATIONS_OMITTED,
  };
}

function missingTopic(name: string | null, errorCode: number, topicId = ZERO_UUID): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: OPERATIONS_OMITTED };
}

export const metadataHandler = defineHandler(Api.Metadata, async (request, version, { broker }) => {
  const { topics: registry, config } = broker;
  let topics: MetadataResponseTopic[];
  // v0 used an empty list to mean "all topics"; later versions use null.
  if (request.topics === null || (version === 0 && request.topics.length === 0)) {
    topics = registry.list().map((t) => describeTopic(broker, t));
  } else {
    topics = [];
    for (const wanted of request.topics) {
      if (wanted.name === null) {
        const topic = wanted.topicId ? registry.getById(wanted.topicId) : undefined;
        topics.push(topic ? describeTopic(broker, topic) : missingTopic(null, ErrorCode.UNKNOWN_TOPIC_ID, wanted.topicId));
        continue;
      }
      const name = wanted.name;
      let topic = registry.get(name);
      if (!topic && topicNameProblem(name)) {
        topics.push(missingTopic(name, ErrorCode.INVALID_TOPIC_EXCEPTION));
        continue;
      }
      if (!topic && broker.policy.autoCreateTopics && (request.allowAutoTopicCreation ?? true)) {
        try {
          topic = await registry.create(name, 1, -1, {});
        } catch (err) {
          // A concurrent request may have created it first; the partition limit refuses it as CreateTopics would.
          topic = registry.get(name);
          if (!topic && err instanceof TopicError && err.code === 'POLICY_VIOLATION') {
            topics.push(missingTopic(name, ErrorCode.POLICY_VIOLATION));
            continue;
          }
        }
      }
      topics.push(topic ? describeTopic(broker, topic) : missingTopic(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    }
  }
  const { host, port } = broker.advertised();
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: config.nodeId, host, port, rack: null }],
    clusterId: config.clusterId,
    controllerId: config.nodeId,
    topics,
    clusterAuthorizedOperations: OPERATIONS_OMITTED,
    errorCode: ErrorCode.NONE,
  };
});
