import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.ts';
import { runKcat } from '../helpers/kcat.ts';

const TOPIC = 'latest-per-key';
const KEYS = 20;
const ROUNDS = 10;

describe('compacted topics (kafkajs)', () => {
  let broker: TestBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await startBroker({ config: { log: { cleanerIntervalMs: 200 } } });
    kafka = new Kafka({ clientId: 'compat-compaction', brokers: [broker.address], logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('keeps only the newest value per key once the topic is switched to cleanup.policy=compact', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1024' }] }] });

    const producer = kafka.producer();
    await producer.connect();
    for (let round = 0; round < ROUNDS; round++) {
      await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: Array.from({ length: KEYS }, (_, k) => ({ key: `key-${k}`, value: `key-${k} round ${round}` })),
      });
    }
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'key-0', value: null }] });
    // Records with unique keys after the last update, so the updates all sit in closed segments.
    for (let i = 0; i < 20; i++) await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: `filler-${i}`, value: 'f'.repeat(100) }] });
    await producer.disconnect();
    const [{ high }] = await admin.fetchTopicOffsets(TOPIC);

    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 2, name: TOPIC, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'segment.bytes', value: '1024' }] }],
    });
    const described = await admin.describeConfigs({ resources: [{ type: 2, name: TOPIC, configNames: ['cleanup.policy'] }], includeSynonyms: false });
    expect(described.resources[0]!.configEntries).toMatchObject([{ configName: 'cleanup.policy', configValue: 'compact' }]);

    // The cleaner runs on its own timer; wait until a read from the start shows every key once.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const read = await runKcat(['-b', broker.address, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%k\n']);
      const keys = read.stdout.split('\n').filter((k) => k.length > 0);
      if (keys.length === new Set(keys).size) break;
      if (Date.now() > deadline) throw new Error(`still ${keys.length} records for ${new Set(keys).size} keys`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const seen = new Map<string, (string | null)[]>();
    const consumer = kafka.consumer({ groupId: 'compaction-reader', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    let caughtUp!: () => void;
    const done = new Promise<void>((resolve) => (caughtUp = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key!.toString();
        seen.set(key, [...(seen.get(key) ?? []), message.value?.toString() ?? null]);
        if (BigInt(message.offset) + 1n === BigInt(high)) caughtUp();
      },
    });
    await done;
    await consumer.disconnect();

    // A tombstone is the latest value of its key until delete.retention.ms (a day by default) has passed.
    expect(seen.get('key-0')).toEqual([null]);
    for (let k = 1; k < KEYS; k++) expect(seen.get(`key-${k}`)).toEqual([`key-${k} round ${ROUNDS - 1}`]);
    for (let i = 0; i < 20; i++) expect(seen.get(`filler-${i}`)).toHaveLength(1);
    expect(seen.size).toBe(KEYS + 20);

    const [after] = await admin.fetchTopicOffsets(TOPIC);
    expect(after).toMatchObject({ high, low: '0' });
    await admin.disconnect();
  });
});
