import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, ErrorCode, type ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatResponse } from '@fjord/kafka-protocol';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RawKafkaClient } from '../../../test/helpers/raw-kafka-client.ts';
import { startBroker, type RunningBroker } from '../src/broker.ts';
import { parseBrokerConfig } from '../src/config/broker-config.ts';

const SESSION_TIMEOUT_MS = 1500;

describe('KIP-848 consumer groups across a broker restart', () => {
  let dataDir: string;
  let broker: RunningBroker | undefined;
  let client: RawKafkaClient | undefined;

  const start = async () => {
    broker = await startBroker(
      parseBrokerConfig({
        clusterId: 'c_consumer_restart',
        nodeId: 0,
        listen: { host: '127.0.0.1', port: 0 },
        dataDir,
        auth: 'none',
        groups: { consumerSessionTimeoutMs: SESSION_TIMEOUT_MS },
      }),
      pino({ level: process.env.TEST_LOG ?? 'silent' }),
    );
    client = await RawKafkaClient.connect(broker.port);
  };
  const stop = async () => {
    client?.close();
    await broker?.close();
    broker = undefined;
  };
  const heartbeat = (fields: Partial<ConsumerGroupHeartbeatRequest>): Promise<ConsumerGroupHeartbeatResponse> =>
    client!.request(Api.ConsumerGroupHeartbeat, 1, {
      groupId: 'restarted',
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
  const join = (memberId: string) => heartbeat({ memberId, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['kept'], topicPartitions: [] });
  const describeGroup = async () =>
    (await client!.request(Api.ConsumerGroupDescribe, 1, { groupIds: ['restarted'], includeAuthorizedOperations: false })).groups[0];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-consumer-restart-'));
  });
  afterEach(stop);
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps epochs, members and assignments, so members heartbeat on as if nothing happened, and drops the ones that do not return', async () => {
    await start();
    await broker!.topics.create('kept', 4, 1, {});
    const a = await join('a');
    const owned = a.assignment!.topicPartitions;
    expect(owned[0]!.partitions).toEqual([0, 1, 2, 3]);
    await join('b');
    // A gives two up and moves to epoch 2; B's two are free for it once it asks again.
    const kept = (await heartbeat({ memberId: 'a', memberEpoch: 1, topicPartitions: owned })).assignment!.topicPartitions;
    expect((await heartbeat({ memberId: 'a', memberEpoch: 1, topicPartitions: kept })).memberEpoch).toBe(2);
    const before = await describeGroup();
    expect(before.members).toHaveLength(2);

    await stop();
    await start();
    expect(await describeGroup()).toEqual(before);
    // A carries on at its epoch with what it owns; B, which never came back, is gone after its session.
    const resumed = await heartbeat({ memberId: 'a', memberEpoch: 2, topicPartitions: kept });
    expect(resumed).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: 2 });
    const deadline = Date.now() + SESSION_TIMEOUT_MS * 10;
    let answer = resumed;
    while ((answer.assignment?.topicPartitions[0]?.partitions.length ?? 0) < 4 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      answer = await heartbeat({ memberId: 'a', memberEpoch: answer.memberEpoch, topicPartitions: answer.assignment?.topicPartitions ?? kept });
    }
    expect(answer.assignment!.topicPartitions[0]!.partitions).toEqual([0, 1, 2, 3]);
    expect((await describeGroup()).members.map((m: { memberId: string }) => m.memberId)).toEqual(['a']);
  });

  it('starts without consumer groups when their snapshot is unreadable, and members rejoin', async () => {
    await writeFile(path.join(dataDir, 'consumer-groups.json'), '{"version":1,"groups":[{"grou');
    await start();
    expect((await heartbeat({ memberId: 'a', memberEpoch: 2, topicPartitions: [] })).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(await join('a')).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: 1 });
  });
});
