import { ErrorCode } from '@fjord/kafka-protocol';
import { ASSIGNORS } from './assignors/index.ts';
import { assignmentOf, partitionCount, subtract } from './assignment.ts';
import { compileTopicPattern, type ConsumerMember } from './consumer-group.ts';
import type { HeartbeatRequest } from './consumer-group-coordinator.ts';

export const LEAVE_EPOCH = -1;
export const STATIC_LEAVE_EPOCH = -2;

/** A heartbeat answered with a Kafka error code and Kafka's message for it. */
export class HeartbeatError extends Error {
  readonly errorCode: number;

  constructor(errorCode: number, message: string) {
    super(message);
    this.errorCode = errorCode;
  }
}

/** Kafka's request checks (throwIfConsumerGroupHeartbeatRequestIsInvalid); returns the compiled regex, if any. */
export function validate(request: HeartbeatRequest, version: number): RegExp | null {
  const invalid = (message: string) => new HeartbeatError(ErrorCode.INVALID_REQUEST, message);
  if (request.groupId === '') throw new HeartbeatError(ErrorCode.INVALID_GROUP_ID, 'GroupId can not be empty.');
  if (version >= 1 && request.memberId === '') throw invalid('MemberId can not be empty.');
  if (request.memberEpoch < STATIC_LEAVE_EPOCH) throw invalid(`MemberEpoch ${request.memberEpoch} is invalid.`);
  if (request.memberEpoch === STATIC_LEAVE_EPOCH && request.instanceId === null) throw invalid('InstanceId can not be null when leaving with epoch -2.');
  if (request.memberEpoch === 0) {
    if (request.rebalanceTimeoutMs === -1) throw invalid('RebalanceTimeoutMs must be provided in first request.');
    if (request.topicPartitions === null || request.topicPartitions.length > 0) throw invalid('TopicPartitions must be empty when (re-)joining.');
    if (request.subscribedTopicNames === null && request.subscribedTopicRegex === null) {
      throw invalid('SubscribedTopicNames or SubscribedTopicRegex must be set in first request.');
    }
  }
  if (request.serverAssignor !== null && !ASSIGNORS.has(request.serverAssignor)) {
    throw new HeartbeatError(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${request.serverAssignor} is not supported. Supported assignors: ${[...ASSIGNORS.keys()].join(', ')}.`);
  }
  if (!request.subscribedTopicRegex) return null;
  try {
    return compileTopicPattern(request.subscribedTopicRegex);
  } catch {
    throw new HeartbeatError(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex ${request.subscribedTopicRegex} is not a valid regular expression.`);
  }
}

/**
 * A member ahead of the coordinator, or behind it for another reason than a lost answer, is fenced:
 * it must drop its partitions and rejoin. One epoch behind with nothing it should not own is a
 * heartbeat whose answer was lost, and is answered again.
 */
export function checkEpoch(member: ConsumerMember, request: HeartbeatRequest): void {
  const current = member.assignment;
  if (request.memberEpoch === current.memberEpoch) return;
  const owned = request.topicPartitions === null ? null : assignmentOf(request.topicPartitions);
  const lostAnswer = request.memberEpoch === current.previousMemberEpoch && owned !== null && partitionCount(subtract(owned, current.assigned)) === 0;
  if (request.memberEpoch > current.memberEpoch || !lostAnswer) {
    throw new HeartbeatError(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a member epoch (${request.memberEpoch}) different from the group's (${current.memberEpoch}).`);
  }
}
