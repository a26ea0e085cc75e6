import { Api, ErrorCode, type ListGroupsResponseListedGroup } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

/**
 * Live groups, plus groups that only have committed offsets left (shown as Empty consumer groups).
 * Every group here speaks the classic protocol: v5 says so in groupType, and its typesFilter
 * (matched case-insensitively, as Kafka's GroupType.parse does) keeps or drops them all.
 */
export const listGroupsHandler = defineHandler(Api.ListGroups, (request, _version, { broker }) => {
  const groups = new Map<string, ListGroupsResponseListedGroup>();
  for (const groupId of broker.offsets.groupIds()) groups.set(groupId, { groupId, protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' });
  for (const g of broker.groups.list()) {
    groups.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType ?? 'consumer', groupState: g.state, groupType: 'classic' });
  }
  const states = (request.statesFilter ?? []).map((s) => s.toLowerCase());
  const types = (request.typesFilter ?? []).map((t) => t.toLowerCase());
  const listed = [...groups.values()].filter(
    (g) => (states.length === 0 || states.includes(g.groupState!.toLowerCase())) && (types.length === 0 || types.includes(g.groupType!)),
  );
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups: listed };
});
