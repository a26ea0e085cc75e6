import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, ErrorCode } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawKafkaClient } from '../../../test/helpers/raw-kafka-client.ts';
import { startBroker, type RunningBroker } from '../src/broker.ts';
import { parseBrokerConfig } from '../src/config/broker-config.ts';

const TOPIC = 'grouped';

/** A ConsumerProtocolSubscription v0: int16 version, [topic], null user data. */
function subscription(...topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), Buffer.alloc(4)];
  parts[1]!.writeInt32BE(topics.length);
  for (const topic of topics) {
    const length = Buffer.alloc(2);
    length.writeInt16BE(Buffer.byteLength(topic));
    parts.push(length, Buffer.from(topic));
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  return Buffer.concat(parts);
}

describe('consumer-group protocol errors (in process)', () => {
  let dataDir: string;
  let broker: RunningBroker;
  let client: RawKafkaClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-groups-'));
    broker = await startBroker(
      parseBrokerConfig({ clusterId: 'c_groups', nodeId: 0, listen: { host: '127.0.0.1', port: 0 }, dataDir, auth: 'none' }),
      pino({ level: process.env.TEST_LOG ?? 'silent' }),
    );
    await broker.topics.create(TOPIC, 2, 1, {});
    client = await RawKafkaClient.connect(broker.port);
  });

  afterAll(async () => {
    client?.close();
    await broker?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  type JoinFields = {
    memberId?: string;
    protocolType?: string;
    protocols?: { name: string; metadata: Buffer }[];
    sessionTimeoutMs?: number;
    rebalanceTimeoutMs?: number;
  };
  const join = (groupId: string, fields: JoinFields, on = client) =>
    on.request(Api.JoinGroup, 5, {
      groupId,
      sessionTimeoutMs: fields.sessionTimeoutMs ?? 6000,
      rebalanceTimeoutMs: fields.rebalanceTimeoutMs ?? 6000,
      memberId: fields.memberId ?? '',
      groupInstanceId: null,
      protocolType: fields.protocolType ?? 'consumer',
      protocols: fields.protocols ?? [{ name: 'range', metadata: subscription(TOPIC) }],
    });
  const heartbeat = (groupId: string, generationId: number, memberId: string) =>
    client.request(Api.Heartbeat, 3, { groupId, generationId, memberId, groupInstanceId: null }).then((r) => r.errorCode);
  const commit = (groupId: string, generationId: number, memberId: string, offset = 1n) =>
    client
      .request(Api.OffsetCommit, 7, {
        groupId,
        generationIdOrMemberEpoch: generationId,
        memberId,
        groupInstanceId: null,
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
      })
      .then((r) => r.topics[0].partitions[0].errorCode);

  it('answers bad JoinGroup, SyncGroup, Heartbeat and OffsetCommit requests with Kafka error codes', async () => {
    expect((await join('g', { protocolType: '' })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join('g', { protocols: [] })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join('g', { sessionTimeoutMs: 10 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join('', {})).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);

    const leader = await join('g', {});
    expect(leader).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1 });
    const memberId: string = leader.memberId;
    expect(leader.leader).toBe(memberId);
    const synced = await client.request(Api.SyncGroup, 3, {
      groupId: 'g',
      generationId: 1,
      memberId,
      groupInstanceId: null,
      assignments: [{ memberId, assignment: Buffer.from('assignment') }],
    });
    expect(synced).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.from('assignment') });

    // An unknown protocol type, or protocols the group does not share, cannot join a consumer group.
    expect((await join('g', { protocolType: 'connect' })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join('g', { protocols: [{ name: 'only-mine', metadata: subscription(TOPIC) }] })).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    // A member id the group never handed out.
    expect((await join('g', { memberId: 'nobody' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await heartbeat('g', 1, 'nobody')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commit('g', 1, 'nobody')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await client.request(Api.LeaveGroup, 2, { groupId: 'g', memberId: 'nobody' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await heartbeat('unknown-group', 1, memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // A stale generation.
    expect(await heartbeat('g', 0, memberId)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await commit('g', 0, memberId)).toBe(ErrorCode.ILLEGAL_GENERATION);
    const staleSync = await client.request(Api.SyncGroup, 3, { groupId: 'g', generationId: 0, memberId, groupInstanceId: null, assignments: [] });
    expect(staleSync.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);

    // The current member is unaffected by all of it.
    expect(await heartbeat('g', 1, memberId)).toBe(ErrorCode.NONE);
    expect(await commit('g', 1, memberId, 7n)).toBe(ErrorCode.NONE);
    const described = await client.request(Api.DescribeGroups, 5, { groups: ['g'], includeAuthorizedOperations: false });
    expect(described.groups[0]).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(described.groups[0].members).toHaveLength(1);
    expect((await client.request(Api.LeaveGroup, 2, { groupId: 'g', memberId })).errorCode).toBe(ErrorCode.NONE);
  });

  it('deletes committed offsets (OffsetDelete) except for topics the live members subscribe to', async () => {
    const offsetDelete = (groupId: string, partitionIndex = 0, name = TOPIC) =>
      client.request(Api.OffsetDelete, 0, { groupId, topics: [{ name, partitions: [{ partitionIndex }] }] });
    const committed = async (groupId: string) => {
      const fetched = await client.request(Api.OffsetFetch, 7, { groupId, topics: [{ name: TOPIC, partitionIndexes: [0] }], requireStable: false });
      return fetched.topics[0].partitions[0].committedOffset as bigint;
    };

    const member = await join('subscribed', {});
    await client.request(Api.SyncGroup, 3, { groupId: 'subscribed', generationId: member.generationId, memberId: member.memberId, groupInstanceId: null, assignments: [] });
    expect(await commit('subscribed', member.generationId, member.memberId, 4n)).toBe(ErrorCode.NONE);
    const refused = await offsetDelete('subscribed');
    expect(refused).toMatchObject({ errorCode: ErrorCode.NONE, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] }] });
    expect(await committed('subscribed')).toBe(4n);

    await client.request(Api.LeaveGroup, 2, { groupId: 'subscribed', memberId: member.memberId });
    expect((await offsetDelete('subscribed', 5)).topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await offsetDelete('subscribed')).topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
    expect(await committed('subscribed')).toBe(-1n);
    expect((await offsetDelete('never-seen')).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('evicts a member whose session times out, and one that does not rejoin within its rebalance timeout', async () => {
    const sync = (groupId: string, joined: { generationId: number; memberId: string }) =>
      client.request(Api.SyncGroup, 3, { groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, assignments: [] });
    const silent = await join('sessions', { sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000 });
    await sync('sessions', silent);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await heartbeat('sessions', silent.generationId, silent.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const empty = await client.request(Api.DescribeGroups, 5, { groups: ['sessions'], includeAuthorizedOperations: false });
    expect(empty.groups[0]).toMatchObject({ groupState: 'Empty', members: [] });

    // A member whose session is still alive but who never rejoins holds the rebalance up for the rebalance timeout only.
    const stale = await join('rebalance', { sessionTimeoutMs: 6000, rebalanceTimeoutMs: 1000 });
    await sync('rebalance', stale);
    const other = await RawKafkaClient.connect(broker.port);
    const newcomer = await join('rebalance', { rebalanceTimeoutMs: 1000 }, other);
    other.close();
    expect(newcomer).toMatchObject({ errorCode: ErrorCode.NONE, generationId: stale.generationId + 1 });
    expect(newcomer.leader).toBe(newcomer.memberId);
    expect(newcomer.members.map((m: { memberId: string }) => m.memberId)).toEqual([newcomer.memberId]);
    expect(await heartbeat('rebalance', stale.generationId, stale.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('describes the cluster', async () => {
    const cluster = await client.request(Api.DescribeCluster, 0, { includeClusterAuthorizedOperations: false });
    expect(cluster).toMatchObject({ errorCode: ErrorCode.NONE, clusterId: 'c_groups', controllerId: 0, brokers: [{ brokerId: 0, port: broker.port }] });
    const controllers = await client.request(Api.DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
    expect(controllers.errorCode).toBe(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
  });
});
