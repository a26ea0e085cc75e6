import { Api } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

export const syncGroupHandler = defineHandler(Api.SyncGroup, async (request, _version, { broker }) => {
  const result = await broker.groups.sync(request.groupId, request.generationId, request.memberId, request.assignments);
  return { throttleTimeMs: 0, ...result };
});
