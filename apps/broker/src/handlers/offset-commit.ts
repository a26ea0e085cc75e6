import { Api, ErrorCode, type OffsetCommitResponseTopic } from '@fjord/kafka-protocol';
import type { BrokerContext } from '../broker-context.ts';
import { defineHandler } from './handler.ts';
import { namedTopic } from './topic-ids.ts';

const MAX_METADATA_LENGTH = 4096;
/** v9 is the first version a KIP-848 member may use; v10 names topics by id (KIP-516). */
const GROUP_ID_NOT_FOUND_FROM = 9;
const TOPIC_IDS_FROM = 10;

/**
 * Whether the commit's member may commit now. `generationIdOrMemberEpoch` is a classic group's
 * generation, or a consumer group's (KIP-848) member epoch, checked by that group. As Kafka's
 * OffsetMetadataManager: a negative one is a simple (group-less) commit; a member of a group that
 * does not exist (no live state, no committed offsets) is told GROUP_ID_NOT_FOUND from v9.
 */
function commitError(broker: BrokerContext, groupId: string, generation: number, memberId: string, version: number): number {
  const consumerGroup = broker.consumerGroups.checkCommit(groupId, memberId, generation, version);
  if (consumerGroup !== undefined) return consumerGroup;
  const known = broker.groups.describe(groupId) !== undefined || broker.offsets.group(groupId).size > 0;
  if (version >= GROUP_ID_NOT_FOUND_FROM && groupId !== '' && generation >= 0 && !known) return ErrorCode.GROUP_ID_NOT_FOUND;
  return broker.groups.checkCommit(groupId, generation, memberId);
}

export const offsetCommitHandler = defineHandler(Api.OffsetCommit, async (request, version, { broker, logger }) => {
  const groupError = commitError(broker, request.groupId, request.generationIdOrMemberEpoch, request.memberId, version);
  const byId = version >= TOPIC_IDS_FROM;
  const commits: { topic: string; partition: number; offset: bigint; metadata: string | null }[] = [];
  const topics: OffsetCommitResponseTopic[] = request.topics.map(({ name, topicId, partitions }) => {
    const topic = namedTopic(broker, { name, topicId }, byId);
    return {
      name,
      topicId,
      partitions: partitions.map(({ partitionIndex, committedOffset, committedMetadata }) => {
        let errorCode: number = groupError;
        if (errorCode === ErrorCode.NONE && !topic) errorCode = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        if (errorCode === ErrorCode.NONE && !topic!.partitions[partitionIndex]) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        if (errorCode === ErrorCode.NONE && (committedMetadata?.length ?? 0) > MAX_METADATA_LENGTH) errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        if (errorCode === ErrorCode.NONE) commits.push({ topic: topic!.name, partition: partitionIndex, offset: committedOffset, metadata: committedMetadata });
        return { partitionIndex, errorCode };
      }),
    };
  });
  if (commits.length > 0) {
    try {
      await broker.offsets.commit(request.groupId, commits);
    } catch (err) {
      logger.error({ err, groupId: request.groupId }, 'offset commit failed');
      for (const t of topics) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }
  return { throttleTimeMs: 0, topics };
});
