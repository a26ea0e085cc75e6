import { Api, ErrorCode, ProtocolError, decodeConsumerAssignment } from '@fjord/kafka-protocol';
import type { AdminClient } from './admin-client.ts';
import type { KafkaConnection } from './connection.ts';
import { throwIfError } from './errors.ts';

export type GroupType = 'classic' | 'consumer';

export interface GroupListing {
  groupId: string;
  type: GroupType;
  state: string;
}

export interface GroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  assignment: { topic: string; partitions: number[] }[];
}

export interface GroupDescription extends GroupListing {
  assignor: string | null;
  epoch: number | null;
  members: GroupMember[];
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: bigint;
  metadata: string | null;
}

/** The consumer groups of every broker (classic groups of the consumer protocol, and KIP-848 groups). */
export async function listConsumerGroups(admin: AdminClient): Promise<GroupListing[]> {
  const answers = await Promise.all((await admin.everyBroker()).map((c) => c.send(Api.ListGroups, { statesFilter: [], typesFilter: [] })));
  const out: GroupListing[] = [];
  for (const answer of answers) {
    throwIfError(answer.errorCode);
    for (const g of answer.groups) {
      // Connect workers and other users of the classic protocol are groups too, but not consumer groups.
      if (g.protocolType !== 'consumer' && g.groupType !== 'consumer') continue;
      out.push({ groupId: g.groupId, type: g.groupType === 'consumer' ? 'consumer' : 'classic', state: g.groupState ?? 'Unknown' });
    }
  }
  return out;
}

/** One group as its coordinator describes it; null for a group it does not know. */
export async function describeConsumerGroup(admin: AdminClient, groupId: string): Promise<GroupDescription | null> {
  const coordinator = await admin.groupCoordinator(groupId);
  return (await describeKip848(coordinator, groupId)) ?? describeClassic(coordinator, groupId);
}

async function describeKip848(coordinator: KafkaConnection, groupId: string): Promise<GroupDescription | null> {
  if (!coordinator.serves(Api.ConsumerGroupDescribe)) return null;
  const [g] = (await coordinator.send(Api.ConsumerGroupDescribe, { groupIds: [groupId], includeAuthorizedOperations: false })).groups;
  // A classic group, or none: DescribeGroups tells which.
  if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) return null;
  throwIfError(g.errorCode, g.errorMessage ?? undefined);
  return {
    groupId,
    type: 'consumer',
    state: g.groupState,
    assignor: g.assignorName,
    epoch: g.groupEpoch,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.instanceId,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: m.assignment.topicPartitions.map((t) => ({ topic: t.topicName, partitions: t.partitions })),
    })),
  };
}

async function describeClassic(coordinator: KafkaConnection, groupId: string): Promise<GroupDescription | null> {
  const [g] = (await coordinator.send(Api.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false })).groups;
  // Before v6 an unknown group is described as Dead, with no members and no error.
  if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND || (g.groupState === 'Dead' && g.members.length === 0)) return null;
  throwIfError(g.errorCode, g.errorMessage ?? undefined);
  return {
    groupId,
    type: 'classic',
    state: g.groupState,
    assignor: g.protocolData || null,
    epoch: null,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: classicAssignment(m.memberAssignment),
    })),
  };
}

function classicAssignment(bytes: Buffer): GroupMember['assignment'] {
  try {
    return decodeConsumerAssignment(bytes).partitions;
  } catch (err) {
    // A client with its own assignment layout: its partitions cannot be read, the member still shows.
    if (err instanceof ProtocolError) return [];
    throw err;
  }
}

/** The group's committed offsets; `names` maps topic ids to names (OffsetFetch v10 answers by id). */
export async function committedOffsets(admin: AdminClient, groupId: string, names: ReadonlyMap<string, string>): Promise<CommittedOffset[]> {
  const coordinator = await admin.groupCoordinator(groupId);
  // One body for every version: v8+ reads `groups`, older versions `groupId` and `topics`.
  const answer = await coordinator.send(Api.OffsetFetch, { groupId, topics: null, groups: [{ groupId, topics: null }], requireStable: false });
  const group = answer.groups?.[0];
  throwIfError(group?.errorCode ?? answer.errorCode ?? ErrorCode.NONE);
  const out: CommittedOffset[] = [];
  for (const t of group?.topics ?? answer.topics ?? []) {
    const topic = ('name' in t && t.name) || names.get((t as { topicId?: string }).topicId ?? '');
    if (!topic) continue;
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE || p.committedOffset < 0n) continue;
      out.push({ topic, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata || null });
    }
  }
  return out;
}

/** Deletes a group with no members and its offsets (NON_EMPTY_GROUP while it has some). */
export async function deleteConsumerGroup(admin: AdminClient, groupId: string): Promise<void> {
  const coordinator = await admin.groupCoordinator(groupId);
  const [result] = (await coordinator.send(Api.DeleteGroups, { groupsNames: [groupId] })).results;
  throwIfError(result.errorCode);
}
