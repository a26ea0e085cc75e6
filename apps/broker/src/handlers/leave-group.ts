import { Api, ErrorCode } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

/** v0-v2 name one member; v3+ may name several (batch leave of static members). */
export const leaveGroupHandler = defineHandler(Api.LeaveGroup, (request, version, { broker }) => {
  if (version < 3) {
    return { throttleTimeMs: 0, errorCode: broker.groups.leave(request.groupId, request.memberId ?? '') };
  }
  const members = (request.members ?? []).map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    errorCode: broker.groups.leave(request.groupId, m.memberId),
  }));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, members };
});
