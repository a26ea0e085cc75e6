import { Api, ErrorCode, type OffsetFetchResponseTopic } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

/** Committed offsets of a group; -1 where nothing was committed. `topics: null` asks for all of them. */
export const offsetFetchHandler = defineHandler(Api.OffsetFetch, (request, _version, { broker }) => {
  const { offsets } = broker;
  const wanted =
    request.topics ??
    [...offsets.group(request.groupId)].map(([name, partitions]) => ({ name, partitionIndexes: [...partitions.keys()] }));
  const topics: OffsetFetchResponseTopic[] = wanted.map(({ name, partitionIndexes }) => ({
    name,
    partitions: partitionIndexes.map((partitionIndex) => {
      const committed = offsets.get(request.groupId, name, partitionIndex);
      return {
        partitionIndex,
        committedOffset: committed?.offset ?? -1n,
        committedLeaderEpoch: -1,
        metadata: committed?.metadata ?? '',
        errorCode: ErrorCode.NONE,
      };
    }),
  }));
  return { throttleTimeMs: 0, topics, errorCode: ErrorCode.NONE };
});
