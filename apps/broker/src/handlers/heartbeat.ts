import { Api } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

export const heartbeatHandler = defineHandler(Api.Heartbeat, (request, _version, { broker }) => ({
  throttleTimeMs: 0,
  errorCode: broker.groups.heartbeat(request.groupId, request.generationId, request.memberId),
}));
