import { Api, ErrorCode, type ListGroupsResponseListedGroup } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

/**
 * Live groups of both protocols, plus groups that only have committed offsets left (shown as Empty
 * classic consumer groups). v5 tells their types apart and filters by them, case-insensitively as Kafka.
 */
export const listGroupsHandler = defineHandler(Api.ListGroups, (request, _version, { broker }) => {
  const groups = new Map<string, ListGroupsResponseListedGroup>();
  for (const groupId of broker.offsets.groupIds()) groups.set(groupId, { groupId, protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' });
  for (const g of broker.groups.list()) {
    groups.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType ?? 'consumer', groupState: g.state, groupType: 'classic' });
  }
  for (const g of broker.consumerGroups.list()) groups.set(g.groupId, { groupId: g.groupId, protocolType: 'consumer', groupState: g.state, groupType: 'consumer' });
  const states = (request.statesFilter ?? []).map((s) => s.toLowerCase());
  const types = (request.typesFilter ?? []).map((t) => t.toLowerCase());
  const listed = [...groups.values()].filter(
    (g) => (states.length === 0 || states.includes(g.groupState!.toLowerCase())) && (types.length === 0 || types.includes(g.groupType!)),
  );
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups: listed };
});
