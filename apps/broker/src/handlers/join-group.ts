import { Api, ErrorCode } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

export const joinGroupHandler = defineHandler(Api.JoinGroup, async (request, version, { broker, session }) => {
  const refused = broker.consumerGroups.yieldToClassic(request.groupId);
  if (refused !== ErrorCode.NONE) {
    return { throttleTimeMs: 0, errorCode: refused, generationId: -1, protocolType: null, protocolName: version >= 7 ? null : '', leader: '', memberId: request.memberId, members: [] };
  }
  const result = await broker.groups.join({
    groupId: request.groupId,
    memberId: request.memberId,
    groupInstanceId: request.groupInstanceId ?? null,
    sessionTimeoutMs: request.sessionTimeoutMs,
    // v0 has no rebalance timeout: the session timeout served both purposes.
    rebalanceTimeoutMs: version >= 1 ? (request.rebalanceTimeoutMs ?? request.sessionTimeoutMs) : request.sessionTimeoutMs,
    protocolType: request.protocolType,
    protocols: request.protocols,
    clientId: session.clientId ?? '',
    clientHost: session.remoteHost,
  });
  // A failed join has no protocol; before v7 the field cannot be null, and Kafka sends an empty name.
  const protocolName = result.protocolName ?? (version >= 7 ? null : '');
  // v9's skipAssignment is for server-side assignors (KIP-848 migration); the classic leader always assigns.
  return { throttleTimeMs: 0, ...result, protocolName, skipAssignment: false };
});
