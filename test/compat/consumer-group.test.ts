import { AssignerProtocol, Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.ts';

const TOPIC = 'rebalanced';
const PARTITIONS = 6;
const MESSAGES = 10_000;
const GROUP = 'rebalance-pair';
const SESSION_TIMEOUT_MS = 6000;
const REBALANCE_TIMEOUT_MS = 8000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds; fails with `what` once `withinMs` has passed. */
async function waitFor(what: string, condition: () => boolean | Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('kafkajs consumer group across a rebalance', () => {
  let broker: TestBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await startBroker();
    kafka = new Kafka({ clientId: 'compat-group', brokers: [broker.address], logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('splits 6 partitions between two members, hands all to the survivor when one leaves, and processes each of 10,000 messages once', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    const assignments = async () => {
      const [group] = (await admin.describeGroups([GROUP])).groups;
      return new Map(
        group!.members.map((m) => [m.clientId, AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[TOPIC] ?? []]),
      );
    };

    // Each message's processing count, and who processed it. Offsets are committed after processing (kafkajs autoCommit).
    const processed = new Map<string, number>();
    const byConsumer = { first: 0, second: 0 };
    let firstLeaving: Promise<void> | undefined;
    const consumers: Record<keyof typeof byConsumer, Consumer> = {
      first: new Kafka({ clientId: 'first', brokers: [broker.address], logLevel: logLevel.NOTHING }).consumer({
        groupId: GROUP,
        sessionTimeout: SESSION_TIMEOUT_MS,
        rebalanceTimeout: REBALANCE_TIMEOUT_MS,
        heartbeatInterval: 300,
        maxWaitTimeInMs: 100,
        maxBytesPerPartition: 2048,
      }),
      second: new Kafka({ clientId: 'second', brokers: [broker.address], logLevel: logLevel.NOTHING }).consumer({
        groupId: GROUP,
        sessionTimeout: SESSION_TIMEOUT_MS,
        rebalanceTimeout: REBALANCE_TIMEOUT_MS,
        heartbeatInterval: 300,
        maxWaitTimeInMs: 100,
        maxBytesPerPartition: 2048,
      }),
    };
    for (const name of ['first', 'second'] as const) {
      const consumer = consumers[name];
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const id = message.value!.toString();
          processed.set(id, (processed.get(id) ?? 0) + 1);
          byConsumer[name]++;
          // The first member leaves mid-stream; disconnect waits for this batch, so it cannot be awaited here.
          if (name === 'first' && byConsumer.first === 1000) firstLeaving = consumers.first.disconnect();
        },
      });
    }

    await waitFor(
      'both members to own partitions',
      async () => {
        const owned = await assignments();
        return owned.size === 2 && [...owned.values()].every((partitions) => partitions.length > 0);
      },
      REBALANCE_TIMEOUT_MS + SESSION_TIMEOUT_MS,
    );
    const split = await assignments();
    const [firstOwned, secondOwned] = [split.get('first')!, split.get('second')!];
    expect([...firstOwned, ...secondOwned].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(firstOwned.some((p) => secondOwned.includes(p))).toBe(false);

    // Produced once the split is in place, so both members take part before one of them leaves.
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < MESSAGES; i += 1000) {
      await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 1000 }, (_, j) => ({ key: `k${i + j}`, value: `m${i + j}` })) });
    }
    await producer.disconnect();

    await waitFor('the first member to leave', () => firstLeaving !== undefined, 30_000);
    await firstLeaving;
    // The survivor rejoins as soon as its heartbeat sees the rebalance; it must own everything well within the rebalance timeout.
    await waitFor(
      'the survivor to own all partitions',
      async () => {
        const owned = await assignments();
        return owned.size === 1 && owned.get('second')?.length === PARTITIONS;
      },
      REBALANCE_TIMEOUT_MS,
    );

    await waitFor('every message to be processed', () => processed.size === MESSAGES, 40_000);
    await consumers.second.disconnect();

    expect(byConsumer.first).toBeGreaterThanOrEqual(1000);
    expect(byConsumer.second).toBeGreaterThan(0);
    const twice = [...processed].filter(([, n]) => n > 1).map(([id]) => id);
    expect(twice).toEqual([]);
    expect(byConsumer.first + byConsumer.second).toBe(MESSAGES);

    // The committed offsets reach the end of every partition.
    const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    const ends = new Map((await admin.fetchTopicOffsets(TOPIC)).map((o) => [o.partition, o.high]));
    for (const p of committed[0]!.partitions) expect(p.offset).toBe(ends.get(p.partition));
    await admin.disconnect();
  });
});
