import { Api, ErrorCode, type OffsetDeleteResponseTopic } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

/**
 * Deletes a group's committed offsets for some partitions. As in Kafka, a group whose live members
 * subscribe to a topic keeps that topic's offsets (GROUP_SUBSCRIBED_TO_TOPIC).
 */
export const offsetDeleteHandler = defineHandler(Api.OffsetDelete, async (request, _version, { broker, logger }) => {
  const { groupId } = request;
  const consumerSubscribed = broker.consumerGroups.subscribedTopics(groupId);
  const live = consumerSubscribed ?? broker.groups.describe(groupId);
  if (!live && broker.offsets.group(groupId).size === 0) {
    return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, throttleTimeMs: 0, topics: [] };
  }
  const subscribed = consumerSubscribed ?? broker.groups.subscribedTopics(groupId);
  const deletions: { topic: string; partition: number }[] = [];
  const topics: OffsetDeleteResponseTopic[] = request.topics.map(({ name, partitions }) => ({
    name,
    partitions: partitions.map(({ partitionIndex }) => {
      let errorCode: number = ErrorCode.NONE;
      if (!broker.topics.partition(name, partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else if (subscribed.has(name)) errorCode = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
      else deletions.push({ topic: name, partition: partitionIndex });
      return { partitionIndex, errorCode };
    }),
  }));
  if (deletions.length > 0) {
    try {
      await broker.offsets.deleteOffsets(groupId, deletions);
    } catch (err) {
      logger.error({ err, groupId }, 'offset deletion failed');
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, throttleTimeMs: 0, topics: [] };
    }
  }
  return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics };
});
