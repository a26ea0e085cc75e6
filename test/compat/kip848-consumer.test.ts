import { Api } from '@fjord/kafka-protocol';
import { Consumer, MessagesStreamModes, stringDeserializers, type Message } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.ts';
import { runKcat } from '../helpers/kcat.ts';
import { RawKafkaClient } from '../helpers/raw-kafka-client.ts';

const TOPIC = 'kip848';
const GROUP = 'kip848-readers';
const FIRST = 600;
const SECOND = 100;
const WAIT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A member of GROUP on the KIP-848 protocol that commits each record it reads, and what it read. */
interface Reader {
  consumer: Consumer<string, string, string, string>;
  values: string[];
  partitions(): number[];
  close(): Promise<void>;
}

/**
 * @platformatic/kafka 1.35.0 speaks KIP-848 when asked (`groupProtocol: 'consumer'`): it joins and
 * heartbeats with ConsumerGroupHeartbeat v1, lets the broker's assignor pick its partitions, revokes
 * before it takes new ones, and commits with OffsetCommit v9 under its member epoch.
 */
async function startReader(address: string, clientId: string): Promise<Reader> {
  const consumer = new Consumer({
    clientId,
    groupId: GROUP,
    bootstrapBrokers: [address],
    groupProtocol: 'consumer',
    deserializers: stringDeserializers,
    retries: 3,
  });
  const values: string[] = [];
  const stream = await consumer.consume({ topics: [TOPIC], mode: MessagesStreamModes.COMMITTED, fallbackMode: 'earliest', autocommit: false, maxWaitTime: 200 });
  stream.on('data', (message: Message<string, string, string, string>) => {
    values.push(message.value);
    // A commit racing a rebalance may be refused (STALE_MEMBER_EPOCH); the next one covers it.
    void Promise.resolve(message.commit()).catch(() => undefined);
  });
  stream.on('error', () => undefined);
  return {
    consumer,
    values,
    partitions: () => consumer.assignments?.flatMap((a) => (a.topic === TOPIC ? a.partitions : [])).sort() ?? [],
    close: async () => {
      await stream.close();
      await consumer.close(true);
    },
  };
}

describe('a KIP-848 client (@platformatic/kafka 1.35.0, groupProtocol consumer)', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ config: { groups: { consumerHeartbeatIntervalMs: 300 } } });
    const admin = new Kafka({ clientId: 'kip848-admin', brokers: [broker.address], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6 }] });
    await admin.disconnect();
  });

  afterAll(async () => {
    await broker?.stop();
  });

  const produce = async (values: string[]) => {
    // Keyed, so the records spread over all six partitions.
    const res = await runKcat(['-b', broker.address, '-P', '-t', TOPIC, '-K', ':'], `${values.map((v) => `${v}:${v}`).join('\n')}\n`);
    expect(res.code, res.stderr).toBe(0);
  };

  it('splits six partitions between two members, gives all six to the one left, reads every record, commits, and a new member resumes', async () => {
    const first = Array.from({ length: FIRST }, (_, n) => `first-${n}`);
    await produce(first);

    const a = await startReader(broker.address, 'reader-a');
    await waitFor('the first member to hold all six partitions', () => a.partitions().length === 6);
    const b = await startReader(broker.address, 'reader-b');
    await waitFor('a 3+3 split', () => a.partitions().length === 3 && b.partitions().length === 3);
    expect([...a.partitions(), ...b.partitions()].sort()).toEqual([0, 1, 2, 3, 4, 5]);

    const raw = await RawKafkaClient.connect(broker.port);
    try {
      const [group] = (await raw.request(Api.ConsumerGroupDescribe, 1, { groupIds: [GROUP], includeAuthorizedOperations: false })).groups;
      expect(group).toMatchObject({ errorCode: 0, groupState: 'Stable', assignorName: 'uniform' });
      expect(group.members.map((m: { clientId: string }) => m.clientId).sort()).toEqual(['reader-a', 'reader-b']);
    } finally {
      raw.close();
    }

    await b.close();
    await waitFor('the remaining member to take all six partitions', () => a.partitions().length === 6);
    await waitFor('every record', () => new Set([...a.values, ...b.values]).size === FIRST);
    expect([...new Set([...a.values, ...b.values])].sort()).toEqual([...first].sort());
    // Give the last commits time to land before the member goes.
    await sleep(500);
    await a.close();

    const second = Array.from({ length: SECOND }, (_, n) => `second-${n}`);
    await produce(second);
    const c = await startReader(broker.address, 'reader-c');
    await waitFor('the new records', () => c.values.length >= SECOND);
    await sleep(500);
    // Everything the first members read was committed: the new member starts after it.
    expect([...c.values].sort()).toEqual([...second].sort());
    await c.close();
  }, 120_000);
});
