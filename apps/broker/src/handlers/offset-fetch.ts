import { Api, ErrorCode, type OffsetFetchResponseTopics } from '@fjord/kafka-protocol';
import type { BrokerContext } from '../broker-context.ts';
import { defineHandler } from './handler.ts';

/**
 * Committed offsets of a group; -1 where nothing was committed. `topics: null` asks for all of them.
 * v8+ asks for several groups at once; v9+ names the consumer-group member asking, whose epoch must be current.
 */
export const offsetFetchHandler = defineHandler(Api.OffsetFetch, (request, version, { broker }) => {
  if (version < 8) return { throttleTimeMs: 0, topics: committed(broker, request.groupId!, request.topics ?? null), errorCode: ErrorCode.NONE };
  const groups = (request.groups ?? []).map(({ groupId, memberId, memberEpoch, topics }) => {
    const errorCode = version >= 9 ? broker.consumerGroups.checkFetch(groupId, memberId ?? null, memberEpoch ?? -1) : ErrorCode.NONE;
    return { groupId, errorCode, topics: errorCode === ErrorCode.NONE ? committed(broker, groupId, topics) : [] };
  });
  return { throttleTimeMs: 0, groups };
});

function committed(broker: BrokerContext, groupId: string, topics: { name: string; partitionIndexes: number[] }[] | null): OffsetFetchResponseTopics[] {
  const { offsets } = broker;
  const wanted = topics ?? [...offsets.group(groupId)].map(([name, partitions]) => ({ name, partitionIndexes: [...partitions.keys()] }));
  return wanted.map(({ name, partitionIndexes }) => ({
    name,
    partitions: partitionIndexes.map((partitionIndex) => {
      const offset = offsets.get(groupId, name, partitionIndex);
      return {
        partitionIndex,
        committedOffset: offset?.offset ?? -1n,
        committedLeaderEpoch: -1,
        metadata: offset?.metadata ?? '',
        errorCode: ErrorCode.NONE,
      };
    }),
  }));
}
