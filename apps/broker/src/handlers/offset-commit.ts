import { Api, ErrorCode, type OffsetCommitResponseTopic } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

const MAX_METADATA_LENGTH = 4096;

export const offsetCommitHandler = defineHandler(Api.OffsetCommit, async (request, version, { broker, logger }) => {
  const epoch = request.generationIdOrMemberEpoch ?? -1;
  const memberId = request.memberId ?? '';
  // A consumer group (KIP-848) checks member epochs; any other id is the classic coordinator's.
  const groupError =
    broker.consumerGroups.checkCommit(request.groupId, memberId, epoch, version) ?? broker.groups.checkCommit(request.groupId, epoch, memberId);
  const commits: { topic: string; partition: number; offset: bigint; metadata: string | null }[] = [];
  const topics: OffsetCommitResponseTopic[] = request.topics.map(({ name, partitions }) => ({
    name,
    partitions: partitions.map(({ partitionIndex, committedOffset, committedMetadata }) => {
      let errorCode: number = groupError;
      if (errorCode === ErrorCode.NONE && !broker.topics.partition(name, partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (errorCode === ErrorCode.NONE && (committedMetadata?.length ?? 0) > MAX_METADATA_LENGTH) errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
      if (errorCode === ErrorCode.NONE) commits.push({ topic: name, partition: partitionIndex, offset: committedOffset, metadata: committedMetadata });
      return { partitionIndex, errorCode };
    }),
  }));
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
