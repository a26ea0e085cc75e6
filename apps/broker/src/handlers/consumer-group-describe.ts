import { Api, ErrorCode, type ConsumerGroupDescribeResponseDescribedGroup } from '@fjord/kafka-protocol';
import { toTopicPartitions, type Assignment } from '../groups/assignment.ts';
import type { BrokerContext } from '../broker-context.ts';
import { defineHandler } from './handler.ts';

const OPERATIONS_OMITTED = -2147483648;
/** ConsumerGroupDescribe v1's memberType: every member here speaks the consumer protocol. */
const CONSUMER_MEMBER = 1;

export const consumerGroupDescribeHandler = defineHandler(Api.ConsumerGroupDescribe, (request, _version, { broker }) => ({
  throttleTimeMs: 0,
  groups: request.groupIds.map((groupId) => describe(broker, groupId)),
}));

function describe(broker: BrokerContext, groupId: string): ConsumerGroupDescribeResponseDescribedGroup {
  const group = broker.consumerGroups.get(groupId);
  if (!group) {
    // Kafka tells a classic group from a missing one only in the message.
    const classic = broker.groups.describe(groupId) !== undefined || broker.offsets.group(groupId).size > 0;
    return {
      errorCode: groupId === '' ? ErrorCode.INVALID_GROUP_ID : ErrorCode.GROUP_ID_NOT_FOUND,
      errorMessage: classic ? `Group ${groupId} is not a consumer group.` : `Group ${groupId} not found.`,
      groupId,
      groupState: 'Dead',
      groupEpoch: -1,
      assignmentEpoch: -1,
      assignorName: '',
      members: [],
      authorizedOperations: OPERATIONS_OMITTED,
    };
  }
  const withNames = (a: Assignment) => ({
    topicPartitions: toTopicPartitions(a).map((tp) => ({ ...tp, topicName: broker.topics.getById(tp.topicId)?.name ?? '' })),
  });
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    groupId,
    groupState: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignorName: group.assignor.name,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      memberEpoch: m.assignment.memberEpoch,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: [...m.subscribedTopicNames],
      subscribedTopicRegex: m.subscribedTopicRegex,
      assignment: withNames(m.assignment.assigned),
      targetAssignment: withNames(group.target.get(m.memberId) ?? new Map()),
      memberType: CONSUMER_MEMBER,
    })),
    authorizedOperations: OPERATIONS_OMITTED,
  };
}
