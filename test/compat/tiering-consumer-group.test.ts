import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectStore, type ObjectStore } from '@fjord/object-store';
import { startBroker, type TestBroker } from '../helpers/broker.ts';
import { until } from '../helpers/control-plane.ts';
import { CLUSTER_PREFIX, localSegments, numberedLines, partitionPrefix, remoteRanges } from '../helpers/tiering.ts';

const TOPIC = 'cold-group';
const GROUP = 'cold-readers';
/** 2 MB of 1 KiB values, in segments of 256 KiB: about eight segments, all but the active one remote only. */
const LINES = numberedLines(2_000);
/** Where the first consumer stops: well inside the remote segments. */
const FIRST_READ = 600;

// A kafkajs consumer group reads a topic whose records are only in object storage (every closed
// segment uploaded and deleted locally), commits, and after the broker restarts a new member of the
// group resumes from the committed offset, still reading from object storage.
describe('a consumer group over a fully tiered topic', () => {
  let root: string;
  let store: ObjectStore;
  let broker: TestBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'fjord-tiered-group-'));
    store = createObjectStore({ kind: 'fs', root });
    broker = await startBroker({
      config: {
        tiering: {
          objectStore: { kind: 'fs', root },
          policy: { enabled: true, localRetentionMs: 86_400_000, prefix: CLUSTER_PREFIX },
          intervalMs: 200,
          retryMs: 200,
        },
      },
    });
    kafka = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
  });

  afterAll(async () => {
    await broker?.stop();
    await store?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** Reads with a member of the group until `enough` says so, then leaves the group (committing what it read). */
  async function readWithGroup(enough: (read: { offset: number; value: string }[]) => boolean) {
    const read: { offset: number; value: string }[] = [];
    const consumer: Consumer = kafka.consumer({ groupId: GROUP, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (enough(read)) return;
          read.push({ offset: Number(message.offset), value: String(message.value) });
          // Pausing stops the rest of the batch, so exactly what was read is committed.
          if (enough(read)) consumer.pause([{ topic: TOPIC }]);
        },
      });
      await until('the group member to read its share', () => (enough(read) ? true : undefined), 20_000);
    } finally {
      await consumer.disconnect();
    }
    return read;
  }

  async function committed(): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      return Number(topic.partitions[0].offset);
    } finally {
      await admin.disconnect();
    }
  }

  it('commits while reading from object storage and resumes from the commit after a broker restart', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          {
            topic: TOPIC,
            numPartitions: 1,
            configEntries: [
              { name: 'segment.bytes', value: String(256 * 1024) },
              { name: 'local.retention.bytes', value: '0' },
            ],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (let i = 0; i < LINES.length; i += 50) {
        await producer.send({ topic: TOPIC, acks: -1, messages: LINES.slice(i, i + 50).map((value) => ({ value })) });
      }
    } finally {
      await producer.disconnect();
    }

    // Fully tiered: only the active segment is on disk, and the remote segments end right before it.
    const dir = path.join(broker.dataDir, `${TOPIC}-0`);
    const prefix = await partitionPrefix(broker, TOPIC, 0);
    const localStart = await until('every closed segment to be remote only', async () => {
      const { bases } = await localSegments(dir);
      const ranges = await remoteRanges(store, prefix);
      const last = ranges[ranges.length - 1];
      return bases.length === 1 && ranges[0]?.start === 0n && last?.end === bases[0] - 1n ? Number(bases[0]) : undefined;
    }, 20_000);
    expect(localStart).toBeGreaterThan(FIRST_READ);

    const first = await readWithGroup((read) => read.length >= FIRST_READ);
    expect(first.map((r) => r.offset)).toEqual([...Array(FIRST_READ).keys()]);
    expect(first.map((r) => r.value)).toEqual(LINES.slice(0, FIRST_READ));
    expect(await committed()).toBe(FIRST_READ);

    await broker.shutdown();
    await broker.restart();

    // The commit survived the restart, and a new member starts there, not at the beginning.
    expect(await committed()).toBe(FIRST_READ);
    const rest = await readWithGroup((read) => read.length >= LINES.length - FIRST_READ);
    expect(rest[0].offset).toBe(FIRST_READ);
    expect(rest.map((r) => r.value)).toEqual(LINES.slice(FIRST_READ));
    expect(await committed()).toBe(LINES.length);
    // Those records came from object storage: they are still not on local disk.
    expect(Number((await localSegments(dir)).bases[0])).toBeGreaterThanOrEqual(localStart);
  });
});
