import { Api, ErrorCode, type ListGroupsResponseListedGroup } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

/** Live groups, plus groups that only have committed offsets left (shown as Empty consumer groups). */
export const listGroupsHandler = defineHandler(Api.ListGroups, (request, _version, { broker }) => {
  const groups = new Map<string, ListGroupsResponseListedGroup>();
  for (const groupId of broker.offsets.groupIds()) groups.set(groupId, { groupId, protocolType: 'consumer', groupState: 'Empty' });
  for (const g of broker.groups.list()) {
    groups.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType ?? 'consumer', groupState: g.state });
  }
  const states = request.statesFilter ?? [];
  const listed = [...groups.values()].filter((g) => states.length === 0 || states.includes(g.groupState!));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups: listed };
});
