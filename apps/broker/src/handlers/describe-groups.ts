import { Api, ErrorCode, type DescribeGroupsResponseDescribedGroup } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

const OPERATIONS_OMITTED = -2147483648;
/** KIP-1043: from v6 an unknown group is an error, not a Dead group. */
const GROUP_ID_NOT_FOUND_FROM = 6;

export const describeGroupsHandler = defineHandler(Api.DescribeGroups, (request, version, { broker }) => {
  const groups = request.groups.map((groupId): DescribeGroupsResponseDescribedGroup => {
    // Kafka 4.x: DescribeGroups describes classic groups only; a consumer group is Dead to it, and not found from v6 (KIP-1043).
    if (broker.consumerGroups.get(groupId)) return notClassic(groupId, version);
    const live = broker.groups.describe(groupId);
    if (!live) {
      // As Kafka: a group with only committed offsets is Empty, an unknown one Dead (and not found from v6).
      const hasOffsets = broker.offsets.group(groupId).size > 0;
      const notFound = !hasOffsets && version >= GROUP_ID_NOT_FOUND_FROM;
      return {
        errorCode: notFound ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE,
        errorMessage: notFound ? `group ${groupId} not found` : null,
        groupId,
        groupState: hasOffsets ? 'Empty' : 'Dead',
        protocolType: hasOffsets ? 'consumer' : '',
        protocolData: '',
        members: [],
        authorizedOperations: OPERATIONS_OMITTED,
      };
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId,
      groupState: live.state,
      protocolType: live.protocolType ?? '',
      protocolData: live.protocolName ?? '',
      members: live.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: m.metadata,
        memberAssignment: m.assignment,
      })),
      authorizedOperations: OPERATIONS_OMITTED,
    };
  });
  return { throttleTimeMs: 0, groups };
});

function notClassic(groupId: string, version: number): DescribeGroupsResponseDescribedGroup {
  return {
    errorCode: version >= GROUP_ID_NOT_FOUND_FROM ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE,
    errorMessage: `Group ${groupId} is not a classic group.`,
    groupId,
    groupState: 'Dead',
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: OPERATIONS_OMITTED,
  };
}
