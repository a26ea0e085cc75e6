import { Kafka, KafkaJSError, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCredential, startBroker, type TestBroker } from '../helpers/broker.ts';
import { until } from '../helpers/control-plane.ts';

const KEY = 'FJRESTART0001';
const SECRET = 'cmVzdGFydC1zZWNyZXQtdGhhdC1pcy1sb25nLWVub3VnaC10b28';
const TOPIC = 'restarts';
const MESSAGES = 200;
const CRASHES = 3;

describe('kafkajs consumer restarting after a retriable crash', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ auth: 'sasl_plain', credentials: [makeCredential(KEY, SECRET)] });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('logs in again on the same Kafka instance after each crash and consumes every message', async () => {
    const kafka = new Kafka({
      clientId: 'compat-restart',
      brokers: [broker.address],
      sasl: { mechanism: 'plain', username: KEY, password: SECRET },
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: Array.from({ length: MESSAGES }, (_, i) => ({ key: `k${i}`, value: `m${i}` })) });
    await producer.disconnect();

    // retries 0: the first retriable failure crashes the consumer, and kafkajs restarts it on the same connections.
    const consumer = kafka.consumer({ groupId: 'restarting', retry: { retries: 0 }, heartbeatInterval: 10, maxWaitTimeInMs: 100 });
    const crashes: { error: string; restart: boolean }[] = [];
    consumer.on(consumer.events.CRASH, ({ payload }) => crashes.push({ error: payload.error.message, restart: payload.restart }));
    const seen = new Set<string>();
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, heartbeat }) => {
        await heartbeat();
        if (seen.size % 50 === 25 && crashes.length < CRASHES) throw new KafkaJSError('transient failure while processing', { retriable: true });
        seen.add(message.value!.toString());
      },
    });
    try {
      await until('every message to be processed across the restarts', () => (seen.size === MESSAGES ? true : undefined), 30_000, 50);
    } finally {
      await consumer.disconnect();
    }
    // Each crash is the thrown error, never a failed login on the way back.
    expect(crashes).toEqual(Array.from({ length: CRASHES }, () => ({ error: 'transient failure while processing', restart: true })));
    expect(broker.logs.filter((l) => (l.level as number) >= 40)).toEqual([]);
  });
});
