import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCredential, startBroker, type TestBroker } from '../helpers/broker.ts';
import { until } from '../helpers/control-plane.ts';

const KEY = 'FJKAFKAJS0001';
const SECRET = 'a2Fma2Fqcy1zZWNyZXQtdGhhdC1pcy1sb25nLWVub3VnaA';
const TOPIC = 'orders';
const MESSAGES = 10_000;

describe('kafkajs', () => {
  let broker: TestBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await startBroker({ auth: 'sasl_plain', credentials: [makeCredential(KEY, SECRET)] });
    kafka = new Kafka({
      clientId: 'compat-kafkajs',
      brokers: [broker.address],
      sasl: { mechanism: 'plain', username: KEY, password: SECRET },
      logLevel: logLevel.NOTHING,
    });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('produces 10,000 keyed messages with acks=-1 and consumes them back in per-partition order', async () => {
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true })).toBe(true);
    const metadata = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    expect(metadata.topics[0]!.partitions).toHaveLength(3);

    const baseTime = Date.now() - 60_000;
    const sent = Array.from({ length: MESSAGES }, (_, i) => ({
      key: `key-${i % 97}`,
      value: `value-${i}`,
      headers: { seq: String(i), source: 'kafkajs-test' },
      timestamp: String(baseTime + i),
    }));
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < MESSAGES; i += 500) {
      await producer.send({ topic: TOPIC, acks: -1, messages: sent.slice(i, i + 500) });
    }
    await producer.disconnect();

    const offsets = await admin.fetchTopicOffsets(TOPIC);
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(MESSAGES);

    const received = new Map<number, KafkaMessage[]>();
    let count = 0;
    const consumer = kafka.consumer({ groupId: 'compat-kafkajs', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const list = received.get(partition) ?? [];
          list.push(message);
          received.set(partition, list);
          if (++count === MESSAGES) resolve();
        },
      });
    });
    await done;
    await consumer.disconnect();

    expect(count).toBe(MESSAGES);
    expect([...received.keys()].sort()).toEqual([0, 1, 2]);
    const partitionOfKey = new Map<string, number>();
    for (const [partition, messages] of received) {
      // Per-partition order: offsets 0..n-1 and, for one key, the order it was sent in.
      messages.forEach((m, i) => expect(m.offset).toBe(String(i)));
      let lastSeq = -1;
      const lastSeqByKey = new Map<string, number>();
      for (const m of messages) {
        const seq = Number(m.headers!.seq!.toString());
        const original = sent[seq]!;
        expect(m.key!.toString()).toBe(original.key);
        expect(m.value!.toString()).toBe(original.value);
        expect(m.headers!.source!.toString()).toBe('kafkajs-test');
        expect(m.timestamp).toBe(original.timestamp);
        expect(seq).toBeGreaterThan(lastSeqByKey.get(original.key) ?? -1);
        lastSeqByKey.set(original.key, seq);
        expect(partitionOfKey.get(original.key) ?? partition).toBe(partition);
        partitionOfKey.set(original.key, partition);
        lastSeq = Math.max(lastSeq, seq);
      }
    }

    // The group's committed offsets reach the end of each partition.
    const committed = await admin.fetchOffsets({ groupId: 'compat-kafkajs', topics: [TOPIC] });
    const high = new Map(offsets.map((o) => [o.partition, o.high]));
    for (const p of committed[0]!.partitions) expect(p.offset).toBe(high.get(p.partition));
    await admin.disconnect();
  });

  it('produces with an idempotent producer', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'idempotent', numPartitions: 2 }] });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 1000; i += 100) {
      await producer.send({ topic: 'idempotent', acks: -1, messages: Array.from({ length: 100 }, (_, j) => ({ key: `k${i + j}`, value: `v${i + j}` })) });
    }
    await producer.disconnect();
    const offsets = await admin.fetchTopicOffsets('idempotent');
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(1000);
    await admin.disconnect();
  });

  it('lists offsets by timestamp, earliest and latest', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const earliest = await admin.fetchTopicOffsetsByTimestamp(TOPIC, 0);
    expect(earliest.map((p) => p.offset)).toEqual(['0', '0', '0']);
    const future = await admin.fetchTopicOffsetsByTimestamp(TOPIC, Date.now() + 3_600_000);
    const latest = await admin.fetchTopicOffsets(TOPIC);
    // No record that late: Kafka answers -1, which kafkajs turns into the high watermark.
    expect(future.map((p) => p.offset).sort()).toEqual(latest.map((p) => p.high).sort());
    await admin.disconnect();
  });

  it('creates, grows, describes and deletes topics through the admin API', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'admin-made', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    const creationError = (topic: string, replicationFactor?: number) =>
      admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor }] }).then(
        () => undefined,
        (err: { errors?: { type: string }[] }) => err.errors?.[0]?.type,
      );
    expect(await creationError('bad/name')).toBe('INVALID_TOPIC_EXCEPTION');
    expect(await creationError('rf3', 3)).toBe('INVALID_REPLICATION_FACTOR');
    // kafkajs reports TOPIC_ALREADY_EXISTS as `false` rather than an error.
    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] })).toBe(false);
    await admin.createPartitions({ topicPartitions: [{ topic: 'admin-made', count: 4 }] });
    const described = await admin.fetchTopicMetadata({ topics: ['admin-made'] });
    expect(described.topics[0]!.partitions).toHaveLength(4);

    const configs = await admin.describeConfigs({ resources: [{ type: 2, name: 'admin-made' }], includeSynonyms: false });
    const entries = new Map(configs.resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(entries.get('retention.ms')).toMatchObject({ configValue: '3600000', isDefault: false });
    expect(entries.get('cleanup.policy')).toMatchObject({ configValue: 'delete', isDefault: true });

    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'admin-made', configEntries: [{ name: 'retention.ms', value: '7200000' }] }] });
    const altered = await admin.describeConfigs({ resources: [{ type: 2, name: 'admin-made', configNames: ['retention.ms'] }], includeSynonyms: false });
    expect(altered.resources[0]!.configEntries).toMatchObject([{ configName: 'retention.ms', configValue: '7200000' }]);

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'admin-made', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `r${i}`, partition: 0 })) });
    await producer.disconnect();
    await admin.deleteTopicRecords({ topic: 'admin-made', partitions: [{ partition: 0, offset: '5' }] });
    const afterDelete = await admin.fetchTopicOffsets('admin-made');
    expect(afterDelete.find((p) => p.partition === 0)).toMatchObject({ low: '5', high: '10' });

    await admin.deleteTopics({ topics: ['admin-made'] });
    expect(await admin.listTopics()).not.toContain('admin-made');
    await admin.disconnect();
  });

  it('splits partitions between the members of a group, and lists, describes and deletes the group', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'shared', numPartitions: 4 }] });

    const received = [new Map<number, number>(), new Map<number, number>()];
    const consumers = received.map(() => kafka.consumer({ groupId: 'pair', heartbeatInterval: 100, maxWaitTimeInMs: 100 }));
    for (const [i, consumer] of consumers.entries()) {
      await consumer.connect();
      await consumer.subscribe({ topic: 'shared', fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition }) => {
          received[i]!.set(partition, (received[i]!.get(partition) ?? 0) + 1);
        },
      });
    }
    const described = async () => (await admin.describeGroups(['pair'])).groups[0]!;
    await until('a stable group of two members', async () => {
      const group = await described();
      return group.members.length >= 2 && group.state === 'Stable' ? group : undefined;
    }, 30_000, 50);

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'shared', acks: -1, messages: Array.from({ length: 400 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();
    const total = () => received.reduce((n, m) => n + [...m.values()].reduce((a, b) => a + b, 0), 0);
    await until('all 400 records consumed', () => (total() >= 400 ? true : undefined), 30_000, 50);

    const [first, second] = received.map((m) => [...m.keys()].sort());
    expect(first!.length).toBeGreaterThan(0);
    expect(second!.length).toBeGreaterThan(0);
    expect([...first!, ...second!].sort()).toEqual([0, 1, 2, 3]);
    expect(total()).toBe(400);

    await Promise.all(consumers.map((c) => c.disconnect()));
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain('pair');
    await admin.deleteGroups(['pair']);
    const offsets = await admin.fetchOffsets({ groupId: 'pair', topics: ['shared'] });
    expect(offsets[0]!.partitions.map((p) => p.offset)).toEqual(['-1', '-1', '-1', '-1']);
    await admin.disconnect();
  });
});
