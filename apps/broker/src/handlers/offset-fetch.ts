import {
  Api,
  ErrorCode,
  type OffsetFetchRequestTopics,
  type OffsetFetchResponseGroup,
  type OffsetFetchResponsePartitions,
} from '@fjord/kafka-protocol';
import type { BrokerContext } from '../broker-context.ts';
import { defineHandler } from './handler.ts';

/** v8 asks for several groups at once; v10 names topics by id (KIP-516). */
const GROUPS_FROM = 8;
const TOPIC_IDS_FROM = 10;

/**
 * Whether the member named by a v9+ request may read the group's offsets. Classic groups ignore
 * the member (Kafka's ClassicGroup.validateOffsetFetch); a consumer group (KIP-848) checks its
 * member and epoch.
 */
function memberError(broker: BrokerContext, groupId: string, memberId: string | null, memberEpoch: number): number {
  return broker.consumerGroups.checkFetch(groupId, memberId, memberEpoch);
}

function committed(broker: BrokerContext, groupId: string, topic: string | undefined, partitionIndex: number, errorCode: number): OffsetFetchResponsePartitions {
  const offset = topic === undefined || errorCode !== ErrorCode.NONE ? undefined : broker.offsets.get(groupId, topic, partitionIndex);
  return { partitionIndex, committedOffset: offset?.offset ?? -1n, committedLeaderEpoch: -1, metadata: offset?.metadata ?? '', errorCode };
}

/** One group's committed offsets; -1 where nothing was committed. `topics: null` asks for all of them. */
function groupOffsets(
  broker: BrokerContext,
  groupId: string,
  wanted: OffsetFetchRequestTopics[] | null,
  byId: boolean,
): OffsetFetchResponseGroup['topics'] {
  if (wanted === null) {
    const out: OffsetFetchResponseGroup['topics'] = [];
    for (const [name, partitions] of broker.offsets.group(groupId)) {
      const topicId = broker.topics.get(name)?.topicId;
      // By id, a topic without one (gone since the commit) cannot be named.
      if (byId && topicId === undefined) continue;
      out.push({ name, topicId, partitions: [...partitions.keys()].map((p) => committed(broker, groupId, name, p, ErrorCode.NONE)) });
    }
    return out;
  }
  return wanted.map(({ name, topicId, partitionIndexes }) => {
    const topicName = byId ? (topicId !== undefined ? broker.topics.getById(topicId)?.name : undefined) : name;
    const errorCode = topicName === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.NONE;
    return { name, topicId, partitions: partitionIndexes.map((p) => committed(broker, groupId, topicName, p, errorCode)) };
  });
}

export const offsetFetchHandler = defineHandler(Api.OffsetFetch, (request, version, { broker }) => {
  const byId = version >= TOPIC_IDS_FROM;
  if (version < GROUPS_FROM) {
    const groupId = request.groupId ?? '';
    const wanted = request.topics === undefined || request.topics === null ? null : request.topics;
    const topics = groupOffsets(broker, groupId, wanted, false).map(({ name, partitions }) => ({ name: name!, partitions }));
    return { throttleTimeMs: 0, topics, errorCode: ErrorCode.NONE };
  }
  const groups = (request.groups ?? []).map(({ groupId, memberId, memberEpoch, topics }): OffsetFetchResponseGroup => {
    const errorCode = memberError(broker, groupId, memberId ?? null, memberEpoch ?? -1);
    return { groupId, errorCode, topics: errorCode === ErrorCode.NONE ? groupOffsets(broker, groupId, topics, byId) : [] };
  });
  return { throttleTimeMs: 0, groups };
});
