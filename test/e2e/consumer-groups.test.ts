import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type FjordClient } from '@fjord/sdk';
import { Consumer as Kip848Consumer, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningControlPlane } from '../../apps/control-plane/test/process.ts';
import { problemOf, startNpmControlPlane, tearDownStory, until } from '../helpers/control-plane.ts';

const password = 'correct horse battery staple';
const TOPIC = 'orders';

// The consumer group endpoints read the cluster's group coordinators: a kafkajs group shows up with its
// members, their partitions, its committed offsets and its lag.
describe('consumer groups end to end', () => {
  let dataDir: string;
  let cp: RunningControlPlane;
  let api: FjordClient;
  let clusterId: string;
  let kafka: Kafka;
  let consumer: Consumer | undefined;
  let bootstrap: string;
  let key: { key: string; secret: string };
  let caPem: string;

  const produce = async (count: number) => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: Array.from({ length: count }, (_, i) => ({ partition: i % 3, value: `order-${i}` })) });
    await producer.disconnect();
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-e2e-groups-'));
    cp = await startNpmControlPlane(dataDir, randomBytes(32).toString('base64'));
    api = createClient({ baseUrl: cp.url });
    await api.signup({ email: `groups-${Date.now()}@example.com`, password, organizationName: 'E2E Groups' });
    clusterId = (await api.clusters.create({ name: 'e2e-groups', plan: 'basic' })).id;
    const running = (await api.clusters.waitFor(clusterId, 'RUNNING', { timeoutMs: 60_000 }))!;
    key = await api.clusterApiKeys.create(clusterId, { description: 'e2e kafkajs' });
    bootstrap = running.bootstrapServers;
    caPem = await api.clusters.caPem(clusterId);
    kafka = new Kafka({
      clientId: 'e2e-groups',
      brokers: bootstrap.split(','),
      ssl: { ca: [caPem] },
      sasl: { mechanism: 'plain', username: key.key, password: key.secret },
      logLevel: logLevel.NOTHING,
    });
    await api.topics.create(clusterId, { name: TOPIC, partitions: 3 });
  }, 120_000);

  afterAll(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await tearDownStory(api, clusterId ? [clusterId] : [], cp, dataDir);
  }, 60_000);

  it('lists a running kafkajs group with its member, the partitions it owns and its committed offsets', async () => {
    await produce(30);
    consumer = kafka.consumer({ groupId: 'billing' });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    let read = 0;
    await consumer.run({ autoCommitThreshold: 1, eachMessage: async () => void read++ });
    await until('30 records read and committed', async () => {
      if (read < 30) return undefined;
      const group = await api.consumerGroups.get(clusterId, 'billing').catch(() => undefined);
      return group && group.lag === 0 && group.offsets.length === 3 ? group : undefined;
    });

    const { items } = await api.consumerGroups.list(clusterId);
    expect(items).toEqual([{ groupId: 'billing', type: 'classic', state: 'Stable', members: 1, lag: 0 }]);
    const group = await api.consumerGroups.get(clusterId, 'billing');
    expect(group.memberDetails).toHaveLength(1);
    expect(group.memberDetails[0].clientId).toBe('e2e-groups');
    expect(group.memberDetails[0].assignment).toEqual([{ topic: TOPIC, partitions: [0, 1, 2] }]);
    expect(group.offsets.map((o) => [o.partition, o.committedOffset, o.highWatermark, o.lag])).toEqual([
      [0, 10, 10, 0],
      [1, 10, 10, 0],
      [2, 10, 10, 0],
    ]);
    expect(group.assignor).toBeTruthy();

    const refused = await problemOf(api.consumerGroups.delete(clusterId, 'billing'));
    expect(refused.status).toBe(409);
    expect(refused.type).toMatch(/\/conflict$/);
  });

  it('lists a KIP-848 group (group.protocol=consumer) as type consumer, with the assignor the broker ran and its member', async () => {
    const kip848 = new Kip848Consumer({
      clientId: 'e2e-kip848',
      groupId: 'analytics',
      groupProtocol: 'consumer',
      bootstrapBrokers: [bootstrap],
      sasl: { mechanism: 'PLAIN', username: key.key, password: key.secret },
      tls: { ca: caPem },
      deserializers: stringDeserializers,
    });
    try {
      const stream = await kip848.consume({ topics: [TOPIC], mode: MessagesStreamModes.EARLIEST, autocommit: true, maxWaitTime: 200 });
      let read = 0;
      stream.on('data', () => void read++);
      const group = await until('the consumer group owning all three partitions', async () => {
        const g = await api.consumerGroups.get(clusterId, 'analytics').catch(() => undefined);
        return read >= 30 && g?.memberDetails[0]?.assignment[0]?.partitions.length === 3 ? g : undefined;
      });
      expect(group).toMatchObject({ type: 'consumer', state: 'Stable', members: 1, assignor: 'uniform' });
      expect(group.epoch).toBeGreaterThan(0);
      expect(group.memberDetails[0]).toMatchObject({ clientId: 'e2e-kip848', assignment: [{ topic: TOPIC, partitions: [0, 1, 2] }] });
      const listed = (await api.consumerGroups.list(clusterId)).items.map((g) => [g.groupId, g.type]);
      expect(listed).toEqual([
        ['analytics', 'consumer'],
        ['billing', 'classic'],
      ]);
      await stream.close();
    } finally {
      await kip848.close(true);
    }
  });

  it("shows the lag of a stopped group, deletes it, and answers 404 for it and for another organization's cluster", async () => {
    await consumer!.disconnect();
    consumer = undefined;
    await produce(6);
    const stopped = await until('the group empty with its lag', async () => {
      const g = await api.consumerGroups.get(clusterId, 'billing');
      return g.state === 'Empty' && g.lag === 6 ? g : undefined;
    });
    expect(stopped.members).toBe(0);
    expect(stopped.offsets.map((o) => o.lag)).toEqual([2, 2, 2]);

    const other = createClient({ baseUrl: cp.url });
    await other.signup({ email: `groups-other-${Date.now()}@example.com`, password, organizationName: 'Other' });
    for (const call of [other.consumerGroups.list(clusterId), other.consumerGroups.get(clusterId, 'billing'), other.consumerGroups.delete(clusterId, 'billing')]) {
      expect((await problemOf(call)).status).toBe(404);
    }

    await api.consumerGroups.delete(clusterId, 'billing');
    expect((await problemOf(api.consumerGroups.get(clusterId, 'billing'))).status).toBe(404);
    expect((await api.consumerGroups.list(clusterId)).items).toEqual([{ groupId: 'analytics', type: 'consumer', state: 'Empty', members: 0, lag: 6 }]);
    await api.consumerGroups.delete(clusterId, 'analytics');
    expect((await api.consumerGroups.list(clusterId)).items).toEqual([]);
    expect((await problemOf(api.consumerGroups.get(clusterId, 'never-existed'))).status).toBe(404);
  });
});
