import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, ErrorCode } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawKafkaClient } from '../../../test/helpers/raw-kafka-client.ts';
import { startBroker, type RunningBroker } from '../src/broker.ts';
import { parseBrokerConfig } from '../src/config/broker-config.ts';

const TOPIC = 'versioned';

// The classic-group APIs at the versions Kafka 4.1 added, over TCP.
describe('group and cluster APIs at their Kafka 4.1 versions', () => {
  let dataDir: string;
  let broker: RunningBroker;
  let client: RawKafkaClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-group-versions-'));
    broker = await startBroker(
      parseBrokerConfig({ clusterId: 'c_versions', nodeId: 0, listen: { host: '127.0.0.1', port: 0 }, dataDir, auth: 'none' }),
      pino({ level: 'silent' }),
    );
    await broker.topics.create(TOPIC, 1, 1, {});
    client = await RawKafkaClient.connect(broker.port);
  });

  afterAll(async () => {
    client?.close();
    await broker?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const commit = (version: number, groupId: string, generation: number, memberId: string) =>
    client.request(Api.OffsetCommit, version, {
      groupId,
      generationIdOrMemberEpoch: generation,
      memberId,
      groupInstanceId: null,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 3n, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });

  it('joins with JoinGroup v9 and commits with OffsetCommit v9, whose generationIdOrMemberEpoch is the classic generation', async () => {
    const joined = await client.request(Api.JoinGroup, 9, {
      groupId: 'v9-group',
      sessionTimeoutMs: 6000,
      rebalanceTimeoutMs: 6000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      reason: 'first join',
    });
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range', skipAssignment: false });
    const synced = await client.request(Api.SyncGroup, 5, {
      groupId: 'v9-group',
      generationId: 1,
      memberId: joined.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: joined.memberId, assignment: Buffer.alloc(0) }],
    });
    expect(synced.errorCode).toBe(ErrorCode.NONE);
    expect((await commit(9, 'v9-group', 1, joined.memberId)).topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
    expect((await commit(9, 'v9-group', 2, joined.memberId)).topics[0].partitions[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('answers a member commit to a group that does not exist with GROUP_ID_NOT_FOUND from v9, as before it in v8', async () => {
    expect((await commit(9, 'no-such-group', 4, 'm-1')).topics[0].partitions[0].errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect((await commit(8, 'no-such-group', 4, 'm-1')).topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // A simple (group-less) commit still creates the group's offsets.
    expect((await commit(9, 'simple-group', -1, '')).topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
  });

  it('lists every group as classic in ListGroups v5 and filters by type', async () => {
    const all = await client.request(Api.ListGroups, 5, { statesFilter: [], typesFilter: [] });
    expect(all.groups.find((g: { groupId: string }) => g.groupId === 'simple-group')).toEqual({
      groupId: 'simple-group',
      protocolType: 'consumer',
      groupState: 'Empty',
      groupType: 'classic',
    });
    const classic = await client.request(Api.ListGroups, 5, { statesFilter: [], typesFilter: ['Classic'] });
    expect(classic.groups.map((g: { groupId: string }) => g.groupId)).toContain('simple-group');
    const consumer = await client.request(Api.ListGroups, 5, { statesFilter: [], typesFilter: ['consumer'] });
    expect(consumer.groups).toEqual([]);
  });

  it('answers DescribeGroups v6 for an unknown group with GROUP_ID_NOT_FOUND, v5 with a Dead group', async () => {
    const v6 = await client.request(Api.DescribeGroups, 6, { groups: ['ghost', 'simple-group'], includeAuthorizedOperations: false });
    expect(v6.groups[0]).toMatchObject({ groupId: 'ghost', errorCode: ErrorCode.GROUP_ID_NOT_FOUND, groupState: 'Dead' });
    expect(v6.groups[0].errorMessage).toMatch(/ghost/);
    expect(v6.groups[1]).toMatchObject({ groupId: 'simple-group', errorCode: ErrorCode.NONE, errorMessage: null, groupState: 'Empty' });
    const v5 = await client.request(Api.DescribeGroups, 5, { groups: ['ghost'], includeAuthorizedOperations: false });
    expect(v5.groups[0]).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Dead' });
  });

  it('finds the group coordinator with FindCoordinator v6 and refuses share-group and unknown key types', async () => {
    const found = await client.request(Api.FindCoordinator, 6, { keyType: 0, coordinatorKeys: ['g'] });
    expect(found.coordinators).toEqual([{ key: 'g', nodeId: 0, host: '127.0.0.1', port: broker.port, errorCode: ErrorCode.NONE, errorMessage: null }]);
    const share = await client.request(Api.FindCoordinator, 6, { keyType: 2, coordinatorKeys: ['g'] });
    expect(share.coordinators[0]).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'share groups are not supported' });
    const unknown = await client.request(Api.FindCoordinator, 6, { keyType: 7, coordinatorKeys: ['g'] });
    expect(unknown.coordinators[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('describes the one broker as not fenced in DescribeCluster v2', async () => {
    const described = await client.request(Api.DescribeCluster, 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: true });
    expect(described).toMatchObject({ errorCode: ErrorCode.NONE, clusterId: 'c_versions', brokers: [{ brokerId: 0, port: broker.port, isFenced: false }] });
  });
});
