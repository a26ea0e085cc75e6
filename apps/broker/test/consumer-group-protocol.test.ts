import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, ErrorCode, type ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatResponse } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawKafkaClient } from '../../../test/helpers/raw-kafka-client.ts';
import { startBroker, type RunningBroker } from '../src/broker.ts';
import { parseBrokerConfig } from '../src/config/broker-config.ts';

const SESSION_TIMEOUT_MS = 1500;
/** Enough heartbeats for any group here to settle; a group still moving after them is a bug. */
const MAX_ROUNDS = 20;

type TopicPartitions = { topicId: string; partitions: number[] }[];

/**
 * A KIP-848 consumer as the coordinator sees it: it heartbeats with what it owns and takes each
 * assignment it is sent at once (revoking first, as a real consumer does before its next heartbeat).
 */
class Member {
  readonly memberId: string;
  epoch = 0;
  owned: TopicPartitions = [];
  readonly #client: RawKafkaClient;
  readonly #groupId: string;
  readonly #join: Partial<ConsumerGroupHeartbeatRequest>;

  constructor(client: RawKafkaClient, groupId: string, memberId: string, join: Partial<ConsumerGroupHeartbeatRequest>) {
    this.#client = client;
    this.#groupId = groupId;
    this.memberId = memberId;
    this.#join = join;
  }

  async beat(fields: Partial<ConsumerGroupHeartbeatRequest> = {}): Promise<ConsumerGroupHeartbeatResponse> {
    const joining = this.epoch === 0;
    const response = await heartbeat(this.#client, {
      groupId: this.#groupId,
      memberId: this.memberId,
      memberEpoch: this.epoch,
      rebalanceTimeoutMs: joining ? 30_000 : -1,
      topicPartitions: joining ? [] : this.owned,
      ...(joining ? this.#join : {}),
      ...fields,
    });
    if (response.errorCode === ErrorCode.NONE && response.memberEpoch >= 0) {
      this.epoch = response.memberEpoch;
      if (response.assignment) this.owned = response.assignment.topicPartitions;
    }
    return response;
  }

  /** Owned partitions as `topicId:partition` strings. */
  get partitions(): string[] {
    return this.owned.flatMap(({ topicId, partitions }) => partitions.map((p) => `${topicId}:${p}`)).sort();
  }

  leave(epoch = -1): Promise<ConsumerGroupHeartbeatResponse> {
    return heartbeat(this.#client, { groupId: this.#groupId, memberId: this.memberId, memberEpoch: epoch, instanceId: this.#join.instanceId ?? null });
  }
}

function heartbeat(client: RawKafkaClient, fields: Partial<ConsumerGroupHeartbeatRequest>, version = 1): Promise<ConsumerGroupHeartbeatResponse> {
  return client.request(Api.ConsumerGroupHeartbeat, version, {
    groupId: '',
    memberId: '',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: null,
    ...fields,
  });
}

describe('KIP-848 consumer groups over TCP', () => {
  let dataDir: string;
  let broker: RunningBroker;
  let client: RawKafkaClient;
  let topicId: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-consumer-groups-'));
    broker = await startBroker(
      parseBrokerConfig({
        clusterId: 'c_consumer_groups',
        nodeId: 0,
        listen: { host: '127.0.0.1', port: 0 },
        dataDir,
        auth: 'none',
        groups: { consumerSessionTimeoutMs: SESSION_TIMEOUT_MS, consumerHeartbeatIntervalMs: 250 },
      }),
      pino({ level: process.env.TEST_LOG ?? 'silent' }),
    );
    topicId = (await broker.topics.create('six', 6, 1, {})).topicId;
    six = Array.from({ length: 6 }, (_, p) => `${topicId}:${p}`);
    client = await RawKafkaClient.connect(broker.port);
  });

  afterAll(async () => {
    client?.close();
    await broker?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const member = (groupId: string, memberId: string, join: Partial<ConsumerGroupHeartbeatRequest> = { subscribedTopicNames: ['six'] }) =>
    new Member(client, groupId, memberId, join);
  const describeGroup = async (groupId: string) =>
    (await client.request(Api.ConsumerGroupDescribe, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0];
  /** Heartbeats every member in turn until the group is Stable, checking at each step that no partition has two owners. */
  const settle = async (groupId: string, members: Member[]) => {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      for (const m of members) {
        await m.beat();
        const all = members.flatMap((x) => x.partitions);
        expect(new Set(all).size, 'a partition is owned twice').toBe(all.length);
      }
      if ((await describeGroup(groupId)).groupState === 'Stable') return;
    }
    throw new Error(`group ${groupId} did not settle`);
  };
  let six: string[];

  it('splits six partitions 3+3 between two members, shows them in ConsumerGroupDescribe and ListGroups, and gives all six to the one left', async () => {
    const a = member('split', 'member-a');
    const b = member('split', 'member-b');
    const first = await a.beat();
    expect(first).toMatchObject({ errorCode: ErrorCode.NONE, memberId: 'member-a', memberEpoch: 1, heartbeatIntervalMs: 250 });
    expect(a.partitions).toEqual(six);

    await b.beat();
    await settle('split', [a, b]);
    expect(a.partitions).toHaveLength(3);
    expect(b.partitions).toHaveLength(3);
    expect([...a.partitions, ...b.partitions].sort()).toEqual(six);

    const described = await describeGroup('split');
    expect(described).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Stable', groupEpoch: 2, assignmentEpoch: 2, assignorName: 'uniform' });
    const byId = new Map<string, any>(described.members.map((m: { memberId: string }) => [m.memberId, m]));
    for (const m of [a, b]) {
      expect(byId.get(m.memberId)).toMatchObject({ memberEpoch: 2, clientId: 'raw-test', subscribedTopicNames: ['six'], memberType: 1 });
      const assigned = byId.get(m.memberId).assignment.topicPartitions;
      expect(assigned).toEqual([{ topicId, topicName: 'six', partitions: m.owned[0]!.partitions }]);
      expect(byId.get(m.memberId).targetAssignment.topicPartitions).toEqual(assigned);
    }

    const listed = await client.request(Api.ListGroups, 5, { statesFilter: [], typesFilter: ['consumer'] });
    expect(listed.groups).toContainEqual({ groupId: 'split', protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' });
    const classicOnly = await client.request(Api.ListGroups, 5, { statesFilter: [], typesFilter: ['classic'] });
    expect(classicOnly.groups.map((g: any) => g.groupId)).not.toContain('split');

    expect(await b.leave()).toMatchObject({ errorCode: ErrorCode.NONE, memberId: 'member-b', memberEpoch: -1 });
    await settle('split', [a]);
    expect(a.partitions).toEqual(six);
    expect(a.epoch).toBe(3);
    expect((await describeGroup('split')).members.map((m: any) => m.memberId)).toEqual(['member-a']);
    await a.leave();
    expect((await describeGroup('split')).groupState).toBe('Empty');
  });

  it('revokes before it reassigns: the newcomer gets a partition only after the old owner reports it gone', async () => {
    const a = member('handover', 'old-owner');
    const b = member('handover', 'newcomer');
    await a.beat();
    expect(a.partitions).toEqual(six);

    // B's target is three of A's partitions, but A still holds them: B is at the new epoch with nothing.
    const joined = await b.beat();
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: 2, assignment: { topicPartitions: [] } });

    // A is told to keep three, at its old epoch, and has not heartbeated since giving the others up.
    const revoking = await heartbeat(client, { groupId: 'handover', memberId: 'old-owner', memberEpoch: 1, topicPartitions: a.owned });
    expect(revoking.memberEpoch).toBe(1);
    const kept = revoking.assignment!.topicPartitions[0]!.partitions;
    expect(kept).toHaveLength(3);
    const target = (await describeGroup('handover')).members.find((m: any) => m.memberId === 'newcomer').targetAssignment.topicPartitions[0].partitions;
    expect(target.filter((p: number) => kept.includes(p))).toEqual([]);

    // Until A reports them gone, B gets none of them, however often it asks.
    for (let i = 0; i < 3; i++) expect((await b.beat()).assignment ?? { topicPartitions: [] }).toEqual({ topicPartitions: [] });
    expect(b.partitions).toEqual([]);
    // A heartbeat that leaves owned partitions out does not count as a revocation either.
    expect((await heartbeat(client, { groupId: 'handover', memberId: 'old-owner', memberEpoch: 1 })).memberEpoch).toBe(1);
    expect((await b.beat()).assignment).toBeNull();

    a.owned = revoking.assignment!.topicPartitions;
    expect((await a.beat()).memberEpoch).toBe(2);
    // Had that answer been lost, the same heartbeat again (one epoch behind) is answered again...
    const again = await heartbeat(client, { groupId: 'handover', memberId: 'old-owner', memberEpoch: 1, topicPartitions: a.owned });
    expect(again).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: 2 });
    // ...but one behind that still claims what it gave up is fenced.
    const claiming = await heartbeat(client, { groupId: 'handover', memberId: 'old-owner', memberEpoch: 1, topicPartitions: [{ topicId, partitions: [0, 1, 2, 3, 4, 5] }] });
    expect(claiming.errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    await b.beat();
    expect(b.partitions).toEqual(target.map((p: number) => `${topicId}:${p}`));
    expect((await describeGroup('handover')).groupState).toBe('Stable');
    await a.leave();
    await b.leave();
  });

  it('removes a member that does not revoke within its rebalance timeout, and then hands its partitions over', async () => {
    const stubborn = member('stubborn', 'keeper', { subscribedTopicNames: ['six'], rebalanceTimeoutMs: 300 });
    const b = member('stubborn', 'waiting');
    await stubborn.beat();
    await b.beat();
    // Told to give three up, it keeps heartbeating as if it still owned all six.
    const told = await heartbeat(client, { groupId: 'stubborn', memberId: 'keeper', memberEpoch: 1, topicPartitions: stubborn.owned });
    expect(told.assignment!.topicPartitions[0]!.partitions).toHaveLength(3);
    const deadline = Date.now() + 10_000;
    let answer = told;
    while (answer.errorCode === ErrorCode.NONE && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await heartbeat(client, { groupId: 'stubborn', memberId: 'keeper', memberEpoch: 1, topicPartitions: stubborn.owned });
    }
    expect(answer.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    await b.beat();
    await b.beat();
    expect(b.partitions).toEqual(six);
    await b.leave();
  });

  it('assigns with the range assignor when asked, the uniform one by default', async () => {
    const left = (await broker.topics.create('left', 3, 1, {})).topicId;
    const right = (await broker.topics.create('right', 3, 1, {})).topicId;
    const split = async (groupId: string, serverAssignor: string | null) => {
      const join = { subscribedTopicNames: ['left', 'right'], serverAssignor };
      const members = [member(groupId, 'm1', join), member(groupId, 'm2', join)];
      for (const m of members) await m.beat();
      await settle(groupId, members);
      const counts = members.map((m) => m.partitions.length);
      const assignorName = (await describeGroup(groupId)).assignorName;
      for (const m of members) await m.leave();
      return { counts, assignorName, m1: members[0]!.owned };
    };
    const uniform = await split('uniform-group', null);
    expect(uniform).toMatchObject({ counts: [3, 3], assignorName: 'uniform' });

    // Range cuts each topic over its subscribers in member-id order: m1 takes 0-1 of both, m2 takes 2 of both.
    const range = await split('range-group', 'range');
    expect(range).toMatchObject({ counts: [4, 2], assignorName: 'range' });
    const m1 = new Map(range.m1.map(({ topicId: id, partitions }) => [id, partitions]));
    expect(m1).toEqual(new Map([[left, [0, 1]], [right, [0, 1]]]));
  });

  it('answers bad heartbeats with the Kafka error codes clients handle', async () => {
    const codeOf = async (fields: Partial<ConsumerGroupHeartbeatRequest>, version = 1) => {
      const r = await heartbeat(client, { groupId: 'errors', memberId: 'm', rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['six'], topicPartitions: [], ...fields }, version);
      return r.errorCode;
    };
    expect(await codeOf({ serverAssignor: 'sticky' })).toBe(ErrorCode.UNSUPPORTED_ASSIGNOR);
    expect(await codeOf({ subscribedTopicNames: null, subscribedTopicRegex: 'six(' })).toBe(ErrorCode.INVALID_REGULAR_EXPRESSION);
    expect(await codeOf({ memberId: '' })).toBe(ErrorCode.INVALID_REQUEST);
    expect(await codeOf({ groupId: '' })).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(await codeOf({ rebalanceTimeoutMs: -1 })).toBe(ErrorCode.INVALID_REQUEST);
    expect(await codeOf({ topicPartitions: [{ topicId, partitions: [0] }] })).toBe(ErrorCode.INVALID_REQUEST);
    expect(await codeOf({ subscribedTopicNames: null })).toBe(ErrorCode.INVALID_REQUEST);
    expect(await codeOf({ memberEpoch: 3 })).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(await codeOf({ memberEpoch: -1 })).toBe(ErrorCode.GROUP_ID_NOT_FOUND);

    const m = member('errors', 'm');
    await m.beat();
    expect(m.epoch).toBe(1);
    expect(await codeOf({ memberId: 'stranger', memberEpoch: -1 })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await codeOf({ memberId: 'stranger', memberEpoch: 1 })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // Ahead of the coordinator, or behind it while claiming partitions it was never given: fenced.
    expect(await codeOf({ memberEpoch: 2, topicPartitions: m.owned })).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    const other = await member('errors', 'other').beat();
    expect(other.memberEpoch).toBe(2);
    await m.beat();
    expect(m.epoch).toBe(1);
    // v0 has the coordinator name the member.
    const v0 = await heartbeat(client, { groupId: 'errors-v0', memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['six'], topicPartitions: [] }, 0);
    expect(v0.errorCode).toBe(ErrorCode.NONE);
    expect(v0.memberId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('removes a member that stops heartbeating once its session times out, and gives its partitions to the others', async () => {
    const a = member('silent', 'talker');
    const b = member('silent', 'quiet');
    await a.beat();
    await b.beat();
    await settle('silent', [a, b]);
    expect(b.partitions).toHaveLength(3);

    const deadline = Date.now() + SESSION_TIMEOUT_MS * 10;
    while (a.partitions.length < 6 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await a.beat();
    }
    expect(a.partitions).toEqual(six);
    expect((await b.beat()).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    await a.leave();
  });

  it('checks OffsetCommit v9 and OffsetFetch v9 against member epochs and serves the same committed offsets', async () => {
    const m = member('commits', 'committer');
    await m.beat();
    const commit = (fields: { memberId: string; epoch: number; offset?: bigint }, version = 9) =>
      client
        .request(Api.OffsetCommit, version, {
          groupId: 'commits',
          generationIdOrMemberEpoch: fields.epoch,
          memberId: fields.memberId,
          groupInstanceId: null,
          topics: [{ name: 'six', partitions: [{ partitionIndex: 2, committedOffset: fields.offset ?? 5n, committedLeaderEpoch: -1, committedMetadata: null }] }],
        })
        .then((r) => r.topics[0].partitions[0].errorCode);
    const fetch = (memberId: string | null, memberEpoch: number) =>
      client
        .request(Api.OffsetFetch, 9, { groups: [{ groupId: 'commits', memberId, memberEpoch, topics: [{ name: 'six', partitionIndexes: [2] }] }], requireStable: false })
        .then((r) => r.groups[0]);

    expect(await commit({ memberId: 'committer', epoch: m.epoch, offset: 42n })).toBe(ErrorCode.NONE);
    expect(await commit({ memberId: 'committer', epoch: m.epoch + 1 })).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect(await commit({ memberId: 'nobody', epoch: m.epoch })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commit({ memberId: '', epoch: -1 })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commit({ memberId: 'committer', epoch: m.epoch }, 8)).toBe(ErrorCode.UNSUPPORTED_VERSION);

    expect(await fetch('committer', m.epoch)).toMatchObject({ errorCode: ErrorCode.NONE, topics: [{ name: 'six', partitions: [{ partitionIndex: 2, committedOffset: 42n }] }] });
    expect(await fetch(null, -1)).toMatchObject({ errorCode: ErrorCode.NONE, topics: [{ partitions: [{ committedOffset: 42n }] }] });
    expect((await fetch('committer', m.epoch + 1)).errorCode).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect((await fetch('nobody', 0)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // The older API sees the same store.
    const v7 = await client.request(Api.OffsetFetch, 7, { groupId: 'commits', topics: [{ name: 'six', partitionIndexes: [2] }], requireStable: false });
    expect(v7.topics[0].partitions[0].committedOffset).toBe(42n);

    // Once empty, the group takes commits from tools that are not members.
    await m.leave();
    expect(await commit({ memberId: '', epoch: -1, offset: 50n })).toBe(ErrorCode.NONE);
    expect((await fetch(null, -1)).topics[0].partitions[0].committedOffset).toBe(50n);
  });

  it('keeps a group id to one protocol', async () => {
    const m = member('owned-by-consumer', 'm');
    await m.beat();
    const join = await client.request(Api.JoinGroup, 5, {
      groupId: 'owned-by-consumer',
      sessionTimeoutMs: 6000,
      rebalanceTimeoutMs: 6000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    });
    expect(join.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const v6 = await client.request(Api.DescribeGroups, 6, { groups: ['owned-by-consumer'], includeAuthorizedOperations: false });
    expect(v6.groups[0]).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, groupState: 'Dead' });
    const v5 = await client.request(Api.DescribeGroups, 5, { groups: ['owned-by-consumer'], includeAuthorizedOperations: false });
    expect(v5.groups[0]).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Dead', members: [] });
    expect((await client.request(Api.DeleteGroups, 2, { groupsNames: ['owned-by-consumer'] })).results[0].errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);

    // A classic group with members is not a consumer group.
    const classic = await client.request(Api.JoinGroup, 5, {
      groupId: 'owned-by-classic',
      sessionTimeoutMs: 6000,
      rebalanceTimeoutMs: 6000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    });
    expect(classic.errorCode).toBe(ErrorCode.NONE);
    expect((await member('owned-by-classic', 'm').beat()).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    const notConsumer = await describeGroup('owned-by-classic');
    expect(notConsumer).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group owned-by-classic is not a consumer group.' });
    await client.request(Api.LeaveGroup, 3, { groupId: 'owned-by-classic', members: [{ memberId: classic.memberId, groupInstanceId: null }] });

    // Once empty, a consumer group can be deleted (and the id used again by either protocol).
    await m.leave();
    expect((await client.request(Api.DeleteGroups, 2, { groupsNames: ['owned-by-consumer'] })).results[0].errorCode).toBe(ErrorCode.NONE);
    expect((await describeGroup('owned-by-consumer')).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('picks up added partitions and new topics matching a subscription regex', async () => {
    const grown = (await broker.topics.create('grows', 2, 1, {})).topicId;
    const m = member('growing', 'm', { subscribedTopicRegex: 'grow.*' });
    await m.beat();
    expect(m.partitions).toEqual([`${grown}:0`, `${grown}:1`]);

    await broker.topics.addPartitions('grows', 3);
    await m.beat();
    expect(m.partitions).toEqual([0, 1, 2].map((p) => `${grown}:${p}`));
    const extra = (await broker.topics.create('growth', 1, 1, {})).topicId;
    await m.beat();
    expect(m.partitions).toEqual([...[0, 1, 2].map((p) => `${grown}:${p}`), `${extra}:0`].sort());
    expect((await describeGroup('growing')).members[0].subscribedTopicRegex).toBe('grow.*');
    await m.leave();
  });

  it('lets a static member that left with epoch -2 come back to its partitions without a rebalance', async () => {
    const a = member('static', 'a-1', { subscribedTopicNames: ['six'], instanceId: 'instance-a' });
    const b = member('static', 'b', { subscribedTopicNames: ['six'] });
    await a.beat();
    await b.beat();
    await settle('static', [a, b]);
    const held = a.partitions;
    const epoch = (await describeGroup('static')).groupEpoch;

    expect(await a.leave(-2)).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: -2 });
    // Its instance id is still taken while it is away only by itself: another live member cannot claim it.
    const back = member('static', 'a-2', { subscribedTopicNames: ['six'], instanceId: 'instance-a' });
    await back.beat();
    expect(back.partitions).toEqual(held);
    expect((await describeGroup('static')).groupEpoch).toBe(epoch);
    const twin = await member('static', 'a-3', { subscribedTopicNames: ['six'], instanceId: 'instance-a' }).beat();
    expect(twin.errorCode).toBe(ErrorCode.UNRELEASED_INSTANCE_ID);
    await back.leave();
    await b.leave();
  });
});
